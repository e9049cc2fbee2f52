//===- JsonManifestTest.cpp - JSON parser and module manifests -----------===//
#include "TestUtil.h"

#include "rescale/runtime/Json.h"
#include "rescale/runtime/Manifest.h"
#include "rescale/runtime/Sha256.h"

using namespace rescale::runtime;
using namespace rescale::runtime::testing;

TEST(Json, ParsesValues) {
  Expected<JsonValue> v = parseJson(
      R"( {"a": [1, -2.5e1, true, null, "x\u00e9\n"], "big": 9007199254740993} )");
  ASSERT_TRUE(v.isOk()) << v.status().message();
  const JsonValue *a = v->get("a");
  ASSERT_TRUE(a && a->isArray());
  EXPECT_EQ(a->getArray()[0].getInteger(), 1);
  EXPECT_FALSE(a->getArray()[1].isInteger());
  EXPECT_EQ(a->getArray()[1].getNumber(), -25.0);
  EXPECT_TRUE(a->getArray()[2].getBool());
  EXPECT_TRUE(a->getArray()[3].isNull());
  EXPECT_EQ(a->getArray()[4].getString(), "x\xc3\xa9\n");
  // Integers are exact beyond 2^53.
  EXPECT_EQ(v->get("big")->getInteger(), 9007199254740993);
}

TEST(Json, SerializeRoundTrips) {
  std::string text = R"({"k":[1,2.5,"q\"uote"],"n":null,"t":false})";
  Expected<JsonValue> v = parseJson(text);
  ASSERT_TRUE(v.isOk());
  EXPECT_EQ(v->serialize(), text);
}

TEST(Json, ErrorsNameTheOffset) {
  struct Case {
    const char *text, *expected;
  } cases[] = {
      {"", "offset 0: unexpected end of input"},
      {"{\"a\":1,}", "expected a string key"},
      {"[1 2]", "offset 3: expected ',' or ']'"},
      {"\"abc", "unterminated string"},
      {"{\"a\":1,\"a\":2}", "duplicate key \"a\""},
      {"01", "unexpected trailing characters"},
      {"1.", "expected a digit after '.'"},
      {"\"\\ud800\"", "unpaired surrogate"},
      {"\"\\udc00\"", "unpaired surrogate"},
      {"\"\xff\"", "offset 2: invalid UTF-8 in string"},
      {"\"\xc0\xaf\"", "invalid UTF-8"},         // overlong '/'
      {"\"\xed\xa0\x80\"", "invalid UTF-8"},     // an encoded surrogate
      {"\"\xf4\x90\x80\x80\"", "invalid UTF-8"}, // past U+10FFFF
      {"\"\xe2\x82\"", "invalid UTF-8"},         // truncated sequence
      {"tru", "unexpected character 't'"},
      {"{} x", "trailing"},
  };
  for (const Case &c : cases)
    EXPECT_NE(errorOf(parseJson(c.text)).find(c.expected), std::string::npos)
        << c.text << ": " << parseJson(c.text).status().message();
}

TEST(Json, ValidUtf8IsKeptAsIs) {
  // 2-, 3- and 4-byte sequences at the edges of their ranges.
  std::string text = "\"\xc2\x80\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80"
                     "\xf4\x8f\xbf\xbf\"";
  Expected<JsonValue> v = parseJson(text);
  ASSERT_TRUE(v.isOk()) << v.status().message();
  EXPECT_EQ(v->getString(), text.substr(1, text.size() - 2));
}

TEST(Json, SixtyFourLevelsAreReadSixtyFiveAreNot) {
  // The limit counts open arrays and objects, as the compiler's calibration
  // reader does: both accept and refuse the same files.
  EXPECT_TRUE(parseJson(std::string(64, '[') + std::string(64, ']')).isOk());
  EXPECT_NE(errorOf(parseJson(std::string(65, '[') + std::string(65, ']')))
                .find("nesting deeper than 64"),
            std::string::npos);
}

TEST(Json, ManyKeysAreReadInLinearTime) {
  // 200k distinct keys: a pairwise duplicate check would take minutes.
  std::string text = "{";
  for (int i = 0; i < 200000; ++i)
    text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  text += "}";
  Expected<JsonValue> v = parseJson(text);
  ASSERT_TRUE(v.isOk()) << v.status().message();
  EXPECT_EQ(v->getObject().size(), 200000u);
}

TEST(Json, DeepNestingIsAnErrorNotAStackOverflow) {
  std::string deep(100000, '[');
  EXPECT_NE(errorOf(parseJson(deep)).find("nesting deeper than"),
            std::string::npos);
}

static const char *kManifest =
    R"({"format":"rescale-module","version":2,"module_sha256":"abababababababababababababababababababababababababababababababab",
  "target":"cpu","chip":null,
  "entries":[{"name":"f","symbol":"_rescale_entry_f",
    "inputs":[{"dtype":"f32","shape":[2,3]}],
    "outputs":[{"dtype":"bf16","shape":[2,3]}]}]})";

TEST(Manifest, ParsesTheDocumentedFormat) {
  Expected<Manifest> m = parseManifest(kManifest);
  ASSERT_TRUE(m.isOk()) << m.status().message();
  EXPECT_EQ(m->target, "cpu");
  EXPECT_FALSE(m->chip.has_value());
  EXPECT_EQ(m->argMemory, ArgMemory::Host);
  ASSERT_EQ(m->entries.size(), 1u);
  const EntrySpec &e = m->entries[0];
  EXPECT_EQ(e.symbol, "_rescale_entry_f");
  EXPECT_EQ(e.inputs[0].toString(), "f32[2,3]");
  EXPECT_EQ(e.outputs[0].toString(), "bf16[2,3]");
  // serialize -> parse is the identity on the model.
  Expected<Manifest> again = parseManifest(serializeManifest(*m));
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(serializeManifest(*again), serializeManifest(*m));
}

TEST(Manifest, SymbolDefaultsFromTheName) {
  Expected<Manifest> m = parseManifest(
      R"({"format":"rescale-module","version":2,"module_sha256":"abababababababababababababababababababababababababababababababab","target":"cuda","chip":"sm_90a",
          "arg_memory":"device",
          "entries":[{"name":"g","inputs":[],"outputs":[]}]})");
  ASSERT_TRUE(m.isOk()) << m.status().message();
  EXPECT_EQ(m->entries[0].symbol, "_rescale_entry_g");
  EXPECT_EQ(*m->chip, "sm_90a");
  EXPECT_EQ(m->argMemory, ArgMemory::Device);
}

TEST(Manifest, RejectsInvalidManifests) {
  auto withEntries = [](const std::string &entries) {
    return R"({"format":"rescale-module","version":2,"module_sha256":"abababababababababababababababababababababababababababababababab","target":"cpu","entries":)" +
           entries + "}";
  };
  struct Case {
    std::string text;
    const char *expected;
  } cases[] = {
      {R"({"format":"onnx","version":1,"target":"cpu","entries":[]})",
       "\"format\" must be \"rescale-module\""},
      {R"({"format":"rescale-module","version":1,"target":"cpu","entries":[]})",
       "version 1 is not supported (this runtime reads version 2)"},
      {R"({"format":"rescale-module","version":2,"target":"cpu","entries":[]})",
       "\"module_sha256\" must be the module file's SHA-256"},
      {R"({"format":"rescale-module","version":2,"module_sha256":"AB","target":"cpu","entries":[]})",
       "\"module_sha256\" must be the module file's SHA-256"},
      {R"({"format":"rescale-module","version":2,"module_sha256":"abababababababababababababababababababababababababababababababab","target":"tpu","entries":[]})",
       "\"target\" must be"},
      {R"({"format":"rescale-module","version":2,"module_sha256":"abababababababababababababababababababababababababababababababab","target":"cpu",
           "arg_memory":"device","entries":[]})",
       "needs target \"cuda\""},
      {withEntries(
           R"([{"name":"f","inputs":[{"dtype":"f7","shape":[1]}],"outputs":[]}])"),
       "unknown dtype 'f7'"},
      {withEntries(
           R"([{"name":"f","inputs":[{"dtype":"f32","shape":[-1]}],"outputs":[]}])"),
       "static shapes"},
      {withEntries(
           R"([{"name":"f","inputs":[],"outputs":[]},{"name":"f","inputs":[],"outputs":[]}])"),
       "duplicate entry 'f'"},
      {withEntries(R"([{"inputs":[],"outputs":[]}])"),
       "non-empty string \"name\""},
      {withEntries(R"([{"name":"f","inputs":{},"outputs":[]}])"),
       "inputs must be an array"},
      {"{", "invalid manifest: invalid JSON"},
  };
  for (const Case &c : cases)
    EXPECT_NE(errorOf(parseManifest(c.text)).find(c.expected),
              std::string::npos)
        << c.text << "\n  -> " << parseManifest(c.text).status().message();
}

TEST(Manifest, PathIsDerivedFromTheModulePath) {
  EXPECT_EQ(manifestPathFor("out/model.so"), "out/model.manifest.json");
  EXPECT_EQ(manifestPathFor("model"), "model.manifest.json");
  EXPECT_EQ(entrySymbolFor("decoder_block"), "_rescale_entry_decoder_block");
  EXPECT_NE(
      errorOf(readManifest("/nonexistent/m.manifest.json")).find("cannot open"),
      std::string::npos);
}

// The digest that ties a module to its manifest: FIPS 180-4 test vectors,
// and every split of the input across update calls.
TEST(Sha256, KnownVectors) {
  auto hex = [](const std::string &s) {
    return sha256Hex(reinterpret_cast<const uint8_t *>(s.data()), s.size());
  };
  EXPECT_EQ(hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(hex(two),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  EXPECT_EQ(hex(million),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  for (size_t cut = 0; cut <= two.size(); ++cut) {
    Sha256 h;
    h.update(reinterpret_cast<const uint8_t *>(two.data()), cut);
    h.update(reinterpret_cast<const uint8_t *>(two.data()) + cut,
             two.size() - cut);
    EXPECT_EQ(h.hexDigest(), hex(two)) << cut;
  }
}
