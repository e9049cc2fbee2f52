//===- RescaleAttrs.cpp - rescale enums and attributes --------------------===//

#include "dialect/RescaleAttrs.h"
#include "dialect/RescaleDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::rescale;

#include "dialect/RescaleEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/RescaleAttrs.cpp.inc"

void RescaleDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/RescaleAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// QuantSchemeAttr
//===----------------------------------------------------------------------===//

// Syntax: `<` format (`,` granularity)? (`,` `block` `=` `[` int (`,` int)*
// `]`)? `>`
Attribute QuantSchemeAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  auto loc = parser.getCurrentLocation();
  StringRef formatName;
  if (parser.parseLess() || parser.parseKeyword(&formatName))
    return {};
  std::optional<QuantFormat> format = symbolizeQuantFormat(formatName);
  if (!format) {
    parser.emitError(loc, "unknown quantization format '")
        << formatName << "'; expected one of int4, int8, fp8, nvfp4, mxfp4";
    return {};
  }
  // mxfp4 is always blocked; every other format defaults to per_tensor.
  QuantGranularity granularity = *format == QuantFormat::mxfp4
                                     ? QuantGranularity::per_block
                                     : QuantGranularity::per_tensor;
  SmallVector<int64_t> block;
  while (succeeded(parser.parseOptionalComma())) {
    auto kwLoc = parser.getCurrentLocation();
    StringRef kw;
    if (parser.parseKeyword(&kw))
      return {};
    if (kw == "block") {
      if (parser.parseEqual() || parser.parseLSquare())
        return {};
      do {
        int64_t b;
        if (parser.parseInteger(b))
          return {};
        block.push_back(b);
      } while (succeeded(parser.parseOptionalComma()));
      if (parser.parseRSquare())
        return {};
      continue;
    }
    std::optional<QuantGranularity> g = symbolizeQuantGranularity(kw);
    if (!g) {
      parser.emitError(kwLoc, "unknown quantization granularity '")
          << kw
          << "'; expected per_tensor, per_channel, per_token, per_block or "
             "block = [...]";
      return {};
    }
    granularity = *g;
  }
  if (parser.parseGreater())
    return {};
  // A block spelled as the scheme's default is the same scheme: drop it, so
  // that `#rescale.quant<mxfp4, block = [32]>` and `#rescale.quant<mxfp4>` are
  // one attribute and compare equal.
  ArrayRef<int64_t> spelled(block);
  if ((*format == QuantFormat::nvfp4 && spelled == ArrayRef<int64_t>{16}) ||
      (*format == QuantFormat::mxfp4 && spelled == ArrayRef<int64_t>{32}) ||
      (*format == QuantFormat::fp8 &&
       granularity == QuantGranularity::per_block &&
       spelled == ArrayRef<int64_t>{128, 128}))
    block.clear();
  return parser.getChecked<QuantSchemeAttr>(loc, ctx, *format, granularity,
                                            block);
}

void QuantSchemeAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyQuantFormat(getFormat());
  if (getFormat() != QuantFormat::mxfp4 ||
      getGranularity() != QuantGranularity::per_block)
    printer << ", " << stringifyQuantGranularity(getGranularity());
  if (!getBlock().empty()) {
    printer << ", block = [";
    llvm::interleaveComma(getBlock(), printer);
    printer << "]";
  }
  printer << ">";
}

LogicalResult
QuantSchemeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        QuantFormat format, QuantGranularity granularity,
                        ArrayRef<int64_t> block) {
  if (llvm::any_of(block, [](int64_t b) { return b <= 0; }))
    return emitError() << "block sizes must be positive";
  switch (format) {
  case QuantFormat::int4:
  case QuantFormat::int8:
    if (granularity == QuantGranularity::per_block || !block.empty())
      return emitError() << stringifyQuantFormat(format)
                         << " supports per_tensor, per_channel and per_token "
                            "scales, not blocks";
    return success();
  case QuantFormat::fp8:
    if (!block.empty() && granularity != QuantGranularity::per_block)
      return emitError() << "fp8 takes a block only with per_block";
    if (granularity == QuantGranularity::per_block && !block.empty() &&
        block.size() != 2)
      return emitError() << "fp8 per_block expects a 2-d block such as "
                            "[128, 128], got "
                         << block.size() << " dimensions";
    return success();
  case QuantFormat::nvfp4:
    if (granularity != QuantGranularity::per_tensor &&
        granularity != QuantGranularity::per_token)
      return emitError() << "nvfp4's second-level scale is per_tensor or "
                            "per_token, not "
                         << stringifyQuantGranularity(granularity);
    if (!block.empty() && (block.size() != 1 || block[0] != 16))
      return emitError() << "nvfp4 uses blocks of 16 elements";
    return success();
  case QuantFormat::mxfp4:
    if (granularity != QuantGranularity::per_block)
      return emitError() << "mxfp4 is always per_block (blocks of 32)";
    if (!block.empty() && (block.size() != 1 || block[0] != 32))
      return emitError() << "mxfp4 uses blocks of 32 elements";
    return success();
  }
  return success();
}

SmallVector<int64_t> QuantSchemeAttr::getBlockShape() const {
  switch (getFormat()) {
  case QuantFormat::nvfp4:
    return {16};
  case QuantFormat::mxfp4:
    return {32};
  case QuantFormat::fp8:
    if (getGranularity() != QuantGranularity::per_block)
      return {};
    if (!getBlock().empty())
      return SmallVector<int64_t>(getBlock());
    return {128, 128};
  default:
    return {};
  }
}

double QuantSchemeAttr::getElementMax() const {
  switch (getFormat()) {
  case QuantFormat::int4:
    return 7.0;
  case QuantFormat::int8:
    return 127.0;
  case QuantFormat::fp8:
    return 448.0;
  case QuantFormat::nvfp4:
  case QuantFormat::mxfp4:
    return 6.0;
  }
  return 1.0;
}

bool QuantSchemeAttr::isFloatFormat() const {
  return getFormat() != QuantFormat::int4 && getFormat() != QuantFormat::int8;
}

bool QuantSchemeAttr::hasGlobalScale() const {
  return getFormat() == QuantFormat::nvfp4;
}

SmallVector<int64_t>
QuantSchemeAttr::getScaleShape(ArrayRef<int64_t> shape) const {
  SmallVector<int64_t> result(shape);
  if (result.empty())
    return result;
  auto divide = [](int64_t d, int64_t b) {
    return ShapedType::isDynamic(d) ? ShapedType::kDynamic : d / b;
  };
  SmallVector<int64_t> block = getBlockShape();
  if (!block.empty()) {
    // Blocks tile the trailing dimensions.
    size_t n = result.size();
    for (size_t i = 0; i < block.size() && i < n; ++i)
      result[n - 1 - i] =
          divide(result[n - 1 - i], block[block.size() - 1 - i]);
    return result;
  }
  switch (getGranularity()) {
  case QuantGranularity::per_tensor:
    for (int64_t &d : result)
      d = 1;
    break;
  case QuantGranularity::per_channel:
  case QuantGranularity::per_token:
    result.back() = 1;
    break;
  case QuantGranularity::per_block:
    break;
  }
  return result;
}

SmallVector<int64_t>
QuantSchemeAttr::getGlobalScaleShape(ArrayRef<int64_t> shape) const {
  SmallVector<int64_t> result(shape);
  if (getGranularity() == QuantGranularity::per_token) {
    if (!result.empty())
      result.back() = 1;
  } else {
    for (int64_t &d : result)
      d = 1;
  }
  return result;
}

Type QuantSchemeAttr::getStorageType() const {
  MLIRContext *ctx = getContext();
  switch (getFormat()) {
  case QuantFormat::int4:
  case QuantFormat::int8:
    return IntegerType::get(ctx, 8);
  case QuantFormat::fp8:
    return Float8E4M3FNType::get(ctx);
  case QuantFormat::nvfp4:
  case QuantFormat::mxfp4:
    return Float4E2M1FNType::get(ctx);
  }
  return {};
}

Type QuantSchemeAttr::getScaleType() const {
  MLIRContext *ctx = getContext();
  switch (getFormat()) {
  case QuantFormat::nvfp4:
    return Float8E4M3FNType::get(ctx);
  case QuantFormat::mxfp4:
    return Float8E8M0FNUType::get(ctx);
  default:
    return Float32Type::get(ctx);
  }
}
