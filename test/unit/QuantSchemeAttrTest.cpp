//===- QuantSchemeAttrTest.cpp - #rescale.quant parsing and helpers -------===//
//
// The scheme attribute is parsed from hand-written IR and drives every shape
// the quantization ops verify against, so its parser, printer and shape
// helpers are pinned down here one case at a time.
//
//===----------------------------------------------------------------------===//

#include "dialect/RescaleAttrs.h"
#include "dialect/RescaleDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

#include <string>

using namespace mlir;
using namespace mlir::rescale;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

class QuantSchemeAttrTest : public ::testing::Test {
protected:
  QuantSchemeAttrTest() { ctx.loadDialect<RescaleDialect>(); }

  /// Parses `text`; on failure returns null and leaves the diagnostics in
  /// `errors`.
  QuantSchemeAttr parse(StringRef text) {
    errors.clear();
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
      errors += diag.str();
      errors += "\n";
      return success();
    });
    return llvm::dyn_cast_or_null<QuantSchemeAttr>(parseAttribute(text, &ctx));
  }

  static std::string print(Attribute attr) {
    std::string s;
    llvm::raw_string_ostream os(s);
    attr.print(os);
    return s;
  }

  MLIRContext ctx;
  std::string errors;
};

//===----------------------------------------------------------------------===//
// Parsing and printing
//===----------------------------------------------------------------------===//

TEST_F(QuantSchemeAttrTest, ParsesFormatAndGranularity) {
  QuantSchemeAttr a = parse("#rescale.quant<int8, per_token>");
  ASSERT_TRUE(a) << errors;
  EXPECT_EQ(a.getFormat(), QuantFormat::int8);
  EXPECT_EQ(a.getGranularity(), QuantGranularity::per_token);
  EXPECT_TRUE(a.getBlock().empty());
  EXPECT_EQ(print(a), "#rescale.quant<int8, per_token>");
}

TEST_F(QuantSchemeAttrTest, EveryFormatAndGranularityRoundTrips) {
  for (StringRef text :
       {"#rescale.quant<int4, per_tensor>", "#rescale.quant<int4, per_channel>",
        "#rescale.quant<int4, per_token>", "#rescale.quant<int8, per_tensor>",
        "#rescale.quant<int8, per_channel>", "#rescale.quant<int8, per_token>",
        "#rescale.quant<fp8, per_tensor>", "#rescale.quant<fp8, per_token>",
        "#rescale.quant<fp8, per_block>",
        "#rescale.quant<fp8, per_block, block = [1, 128]>",
        "#rescale.quant<nvfp4, per_tensor>", "#rescale.quant<nvfp4, per_token>",
        "#rescale.quant<mxfp4>"}) {
    QuantSchemeAttr a = parse(text);
    ASSERT_TRUE(a) << text.str() << ": " << errors;
    EXPECT_EQ(print(a), text.str());
    // Printing and parsing again gives the same (uniqued) attribute.
    EXPECT_EQ(parse(print(a)), a) << text.str();
  }
}

TEST_F(QuantSchemeAttrTest, GranularityDefaultsToPerTensor) {
  QuantSchemeAttr a = parse("#rescale.quant<int4>");
  ASSERT_TRUE(a) << errors;
  EXPECT_EQ(a.getGranularity(), QuantGranularity::per_tensor);
  EXPECT_EQ(print(a), "#rescale.quant<int4, per_tensor>");
}

TEST_F(QuantSchemeAttrTest, Mxfp4IsAlwaysPerBlock) {
  QuantSchemeAttr a = parse("#rescale.quant<mxfp4>");
  ASSERT_TRUE(a) << errors;
  EXPECT_EQ(a.getGranularity(), QuantGranularity::per_block);
  EXPECT_EQ(parse("#rescale.quant<mxfp4, per_block>"), a);
}

TEST_F(QuantSchemeAttrTest, DefaultBlockSpelledOutIsTheSameAttribute) {
  EXPECT_EQ(parse("#rescale.quant<mxfp4, block = [32]>"),
            parse("#rescale.quant<mxfp4>"));
  EXPECT_EQ(parse("#rescale.quant<nvfp4, per_token, block = [16]>"),
            parse("#rescale.quant<nvfp4, per_token>"));
  EXPECT_EQ(parse("#rescale.quant<fp8, per_block, block = [128, 128]>"),
            parse("#rescale.quant<fp8, per_block>"));
  // A different block is a different scheme.
  EXPECT_NE(parse("#rescale.quant<fp8, per_block, block = [1, 128]>"),
            parse("#rescale.quant<fp8, per_block>"));
}

TEST_F(QuantSchemeAttrTest, BlockMayComeBeforeGranularity) {
  QuantSchemeAttr a = parse("#rescale.quant<fp8, block = [64, 64], per_block>");
  ASSERT_TRUE(a) << errors;
  EXPECT_EQ(print(a), "#rescale.quant<fp8, per_block, block = [64, 64]>");
}

struct InvalidCase {
  const char *text;
  const char *message;
};

TEST_F(QuantSchemeAttrTest, RejectsInvalidSchemesWithAMessage) {
  const InvalidCase cases[] = {
      {"#rescale.quant<int16>", "unknown quantization format 'int16'"},
      {"#rescale.quant<int8, per_row>",
       "unknown quantization granularity 'per_row'"},
      {"#rescale.quant<int8, per_block>",
       "int8 supports per_tensor, per_channel and per_token scales, not "
       "blocks"},
      {"#rescale.quant<int4, block = [32]>",
       "int4 supports per_tensor, per_channel and per_token scales"},
      {"#rescale.quant<fp8, per_token, block = [1, 128]>",
       "fp8 takes a block only with per_block"},
      {"#rescale.quant<fp8, per_block, block = [128]>",
       "fp8 per_block expects a 2-d block"},
      {"#rescale.quant<fp8, per_block, block = [0, 128]>",
       "block sizes must be positive"},
      {"#rescale.quant<fp8, per_block, block = [-1, 128]>",
       "block sizes must be positive"},
      {"#rescale.quant<nvfp4, per_channel>",
       "nvfp4's second-level scale is per_tensor or per_token"},
      {"#rescale.quant<nvfp4, block = [32]>",
       "nvfp4 uses blocks of 16 elements"},
      {"#rescale.quant<mxfp4, per_token>", "mxfp4 is always per_block"},
      {"#rescale.quant<mxfp4, block = [16]>",
       "mxfp4 uses blocks of 32 elements"},
      {"#rescale.quant<int8 per_token>", "expected '>'"},
      {"#rescale.quant<fp8, per_block, block = 128>", "expected '['"},
      {"#rescale.quant<fp8, per_block, block = [128, x]>", "expected integer"},
      {"#rescale.quant<>", "expected valid keyword"},
      {"#rescale.quant<int8,", "unbalanced '<'"},
  };
  for (const InvalidCase &c : cases) {
    EXPECT_FALSE(parse(c.text)) << c.text;
    EXPECT_NE(errors.find(c.message), std::string::npos)
        << c.text << "\n  expected: " << c.message << "\n  got: " << errors;
  }
}

TEST_F(QuantSchemeAttrTest, GetCheckedRejectsWhatTheParserRejects) {
  auto emitError = [&]() { return mlir::emitError(UnknownLoc::get(&ctx)); };
  ScopedDiagnosticHandler silence(&ctx, [](Diagnostic &) { return success(); });
  EXPECT_FALSE(QuantSchemeAttr::getChecked(emitError, &ctx, QuantFormat::int8,
                                           QuantGranularity::per_block, {}));
  EXPECT_FALSE(QuantSchemeAttr::getChecked(emitError, &ctx, QuantFormat::mxfp4,
                                           QuantGranularity::per_token, {}));
  EXPECT_TRUE(QuantSchemeAttr::getChecked(emitError, &ctx, QuantFormat::fp8,
                                          QuantGranularity::per_block,
                                          ArrayRef<int64_t>{1, 128}));
}

//===----------------------------------------------------------------------===//
// Block and scale shapes
//===----------------------------------------------------------------------===//

using Shape = SmallVector<int64_t>;

TEST_F(QuantSchemeAttrTest, BlockShapeFillsInTheDefaults) {
  EXPECT_EQ(parse("#rescale.quant<nvfp4, per_tensor>").getBlockShape(),
            Shape({16}));
  EXPECT_EQ(parse("#rescale.quant<nvfp4, per_token>").getBlockShape(),
            Shape({16}));
  EXPECT_EQ(parse("#rescale.quant<mxfp4>").getBlockShape(), Shape({32}));
  EXPECT_EQ(parse("#rescale.quant<fp8, per_block>").getBlockShape(),
            Shape({128, 128}));
  EXPECT_EQ(
      parse("#rescale.quant<fp8, per_block, block = [1, 128]>").getBlockShape(),
      Shape({1, 128}));
  EXPECT_TRUE(parse("#rescale.quant<fp8, per_token>").getBlockShape().empty());
  EXPECT_TRUE(
      parse("#rescale.quant<int8, per_tensor>").getBlockShape().empty());
  EXPECT_TRUE(
      parse("#rescale.quant<int4, per_channel>").getBlockShape().empty());
}

TEST_F(QuantSchemeAttrTest, ScaleShapeKeepsTheRank) {
  // Integer and unblocked fp8 schemes: one scale per tensor or per row.
  EXPECT_EQ(parse("#rescale.quant<int8, per_tensor>").getScaleShape({8, 64}),
            Shape({1, 1}));
  EXPECT_EQ(parse("#rescale.quant<int8, per_token>").getScaleShape({2, 8, 64}),
            Shape({2, 8, 1}));
  EXPECT_EQ(parse("#rescale.quant<int4, per_channel>").getScaleShape({128, 64}),
            Shape({128, 1}));
  EXPECT_EQ(parse("#rescale.quant<fp8, per_token>").getScaleShape({8, 256}),
            Shape({8, 1}));
  EXPECT_EQ(parse("#rescale.quant<fp8, per_tensor>").getScaleShape({4, 8, 16}),
            Shape({1, 1, 1}));
  // Blocked schemes: blocks tile the trailing dimension(s).
  EXPECT_EQ(parse("#rescale.quant<nvfp4, per_tensor>").getScaleShape({8, 64}),
            Shape({8, 4}));
  EXPECT_EQ(parse("#rescale.quant<mxfp4>").getScaleShape({2, 4, 96}),
            Shape({2, 4, 3}));
  EXPECT_EQ(parse("#rescale.quant<fp8, per_block>").getScaleShape({256, 384}),
            Shape({2, 3}));
  EXPECT_EQ(parse("#rescale.quant<fp8, per_block, block = [1, 128]>")
                .getScaleShape({3, 8, 256}),
            Shape({3, 8, 2}));
}

TEST_F(QuantSchemeAttrTest, ScaleShapeKeepsDynamicDimensionsDynamic) {
  EXPECT_EQ(parse("#rescale.quant<int8, per_token>").getScaleShape({kDyn, 64}),
            Shape({kDyn, 1}));
  EXPECT_EQ(parse("#rescale.quant<nvfp4, per_token>").getScaleShape({kDyn, 64}),
            Shape({kDyn, 4}));
  EXPECT_EQ(parse("#rescale.quant<mxfp4>").getScaleShape({8, kDyn}),
            Shape({8, kDyn}));
  EXPECT_EQ(parse("#rescale.quant<int8, per_tensor>").getScaleShape({kDyn, 64}),
            Shape({1, 1}));
}

TEST_F(QuantSchemeAttrTest, GlobalScaleShapeIsNvfp4sSecondLevel) {
  QuantSchemeAttr perTensor = parse("#rescale.quant<nvfp4, per_tensor>");
  QuantSchemeAttr perToken = parse("#rescale.quant<nvfp4, per_token>");
  ASSERT_TRUE(perTensor && perToken) << errors;
  EXPECT_EQ(perTensor.getGlobalScaleShape({8, 64}), Shape({1, 1}));
  EXPECT_EQ(perToken.getGlobalScaleShape({2, 8, 64}), Shape({2, 8, 1}));
  EXPECT_TRUE(perTensor.hasGlobalScale());
  EXPECT_FALSE(parse("#rescale.quant<mxfp4>").hasGlobalScale());
  EXPECT_FALSE(parse("#rescale.quant<int8, per_token>").hasGlobalScale());
}

//===----------------------------------------------------------------------===//
// Element and scale types
//===----------------------------------------------------------------------===//

TEST_F(QuantSchemeAttrTest, StorageScaleTypesAndElementMax) {
  struct Expect {
    const char *text;
    const char *storage;
    const char *scale;
    double max;
    bool isFloat;
  };
  const Expect table[] = {
      {"#rescale.quant<int4, per_token>", "i8", "f32", 7.0, false},
      {"#rescale.quant<int8, per_token>", "i8", "f32", 127.0, false},
      {"#rescale.quant<fp8, per_token>", "f8E4M3FN", "f32", 448.0, true},
      {"#rescale.quant<fp8, per_block>", "f8E4M3FN", "f32", 448.0, true},
      {"#rescale.quant<nvfp4, per_tensor>", "f4E2M1FN", "f8E4M3FN", 6.0, true},
      {"#rescale.quant<mxfp4>", "f4E2M1FN", "f8E8M0FNU", 6.0, true},
  };
  for (const Expect &e : table) {
    QuantSchemeAttr a = parse(e.text);
    ASSERT_TRUE(a) << e.text << ": " << errors;
    EXPECT_EQ(print(TypeAttr::get(a.getStorageType())), e.storage) << e.text;
    EXPECT_EQ(print(TypeAttr::get(a.getScaleType())), e.scale) << e.text;
    EXPECT_EQ(a.getElementMax(), e.max) << e.text;
    EXPECT_EQ(a.isFloatFormat(), e.isFloat) << e.text;
  }
}

} // namespace
