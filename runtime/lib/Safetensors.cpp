//===- Safetensors.cpp - safetensors reader and writer --------------------===//
//
// Every offset and size from the header is untrusted: they are checked
// against the data section (with overflow-safe arithmetic) before any byte is
// copied, and tensors may not overlap.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Safetensors.h"

#include "File.h"
#include "rescale/runtime/Json.h"

#include <algorithm>
#include <set>

namespace rescale::runtime {

namespace {
struct StDTypeEntry {
  const char *name;
  DType dtype;
};
constexpr StDTypeEntry kStDTypes[] = {
    {"F32", DType::F32},
    {"F64", DType::F64},
    {"F16", DType::F16},
    {"BF16", DType::BF16},
    {"I8", DType::I8},
    {"I32", DType::I32},
    {"I64", DType::I64},
    {"BOOL", DType::I1},
    {"U8", DType::U8},
    {"U16", DType::U16},
    {"F8_E4M3", DType::F8E4M3FN},
    {"F8_E8M0", DType::F8E8M0FNU},
};

/// The safetensors format caps the header at 100 MB.
constexpr uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;

struct PendingTensor {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};
} // namespace

static Status fail(const std::string &what) {
  return Status::error("malformed safetensors: " + what);
}

static Expected<PendingTensor> parseTensorEntry(const std::string &name,
                                                const JsonValue &v) {
  if (!v.isObject())
    return fail("entry '" + name + "' is not an object");
  const JsonValue *dtype = v.get("dtype");
  const JsonValue *shape = v.get("shape");
  const JsonValue *offsets = v.get("data_offsets");
  if (!dtype || !dtype->isString() || !shape || !shape->isArray() || !offsets ||
      !offsets->isArray())
    return fail("entry '" + name +
                "' needs string 'dtype', array 'shape' and 'data_offsets'");
  PendingTensor t;
  t.name = name;
  Expected<DType> d = parseSafetensorsDType(dtype->getString());
  if (!d)
    return d.status().withContext("tensor '" + name + "'");
  t.dtype = *d;
  for (const JsonValue &dim : shape->getArray()) {
    if (!dim.isInteger() || dim.getInteger() < 0)
      return fail("tensor '" + name +
                  "': shape entries must be non-negative integers");
    t.shape.push_back(dim.getInteger());
  }
  const auto &off = offsets->getArray();
  if (off.size() != 2 || !off[0].isInteger() || !off[1].isInteger() ||
      off[0].getInteger() < 0 || off[1].getInteger() < off[0].getInteger())
    return fail("tensor '" + name +
                "': data_offsets must be [begin, end] with 0 <= begin <= end");
  t.begin = uint64_t(off[0].getInteger());
  t.end = uint64_t(off[1].getInteger());
  Expected<int64_t> n = checkedNumElements(t.shape);
  if (!n)
    return n.status().withContext("tensor '" + name + "'");
  uint64_t elem = dtypeByteSize(t.dtype);
  uint64_t span = t.end - t.begin;
  if (uint64_t(*n) > span / elem + 1 || uint64_t(*n) * elem != span)
    return fail("tensor '" + name + "': " + dtype->getString() +
                formatShape(t.shape) + " needs " +
                std::to_string(uint64_t(*n) * elem) +
                " bytes but data_offsets span " + std::to_string(span));
  return t;
}

Expected<DType> parseSafetensorsDType(std::string_view name) {
  for (const StDTypeEntry &e : kStDTypes)
    if (name == e.name)
      return e.dtype;
  return Status::error("unknown safetensors dtype '" + std::string(name) +
                       "' (supported: F32 F64 F16 BF16 I8 I32 I64 BOOL U8 "
                       "F8_E4M3 F8_E8M0)");
}

Expected<std::string> safetensorsDTypeName(DType dtype) {
  for (const StDTypeEntry &e : kStDTypes)
    if (e.dtype == dtype)
      return std::string(e.name);
  return Status::error(
      "dtype " + std::string(dtypeName(dtype)) + " has no safetensors name" +
      (dtype == DType::F4E2M1FN ? " (pack it with packFp4)" : ""));
}

const HostTensor *SafetensorsFile::find(const std::string &name) const {
  for (const auto &[n, t] : tensors)
    if (n == name)
      return &t;
  return nullptr;
}

/// The 8-byte header length; `data` holds the file's first `size` bytes, at
/// least 8 or the whole of a shorter file.
static Expected<uint64_t> parseHeaderLength(const uint8_t *data, size_t size) {
  if (size < 8)
    return fail("file is " + std::to_string(size) +
                " bytes, shorter than the 8-byte header length");
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i)
    headerLen = (headerLen << 8) | data[i];
  if (headerLen > kMaxHeaderBytes)
    return fail("header length " + std::to_string(headerLen) +
                " exceeds the 100 MB limit");
  return headerLen;
}

static Status truncatedHeader(uint64_t headerLen, uint64_t follow) {
  return fail("truncated header: header length " + std::to_string(headerLen) +
              " but only " + std::to_string(follow) + " bytes follow");
}

namespace {
/// The header's tensors (sorted by offset, not overlapping) and metadata.
struct Header {
  std::vector<PendingTensor> tensors;
  std::map<std::string, std::string> metadata;
  /// Where the last tensor ends: the data section must be this long.
  uint64_t dataEnd = 0;
};
} // namespace

static Expected<Header> parseHeader(std::string_view text) {
  Expected<JsonValue> json = parseJson(text);
  if (!json)
    return json.status().withContext("malformed safetensors header");
  if (!json->isObject())
    return fail("header is not a JSON object");
  Header header;
  for (const auto &[name, value] : json->getObject()) {
    if (name == "__metadata__") {
      if (!value.isObject())
        return fail("__metadata__ is not an object");
      for (const auto &[k, v] : value.getObject()) {
        if (!v.isString())
          return fail("__metadata__ value for '" + k + "' is not a string");
        header.metadata[k] = v.getString();
      }
      continue;
    }
    Expected<PendingTensor> t = parseTensorEntry(name, value);
    if (!t)
      return t.status();
    header.dataEnd = std::max(header.dataEnd, t->end);
    header.tensors.push_back(t.take());
  }
  std::vector<PendingTensor> &pending = header.tensors;
  std::stable_sort(pending.begin(), pending.end(),
                   [](const PendingTensor &a, const PendingTensor &b) {
                     return a.begin < b.begin;
                   });
  for (size_t i = 1; i < pending.size(); ++i) {
    const PendingTensor &prev = pending[i - 1];
    const PendingTensor &cur = pending[i];
    // Empty tensors occupy no bytes and overlap nothing.
    if (prev.end > cur.begin && cur.begin != cur.end && prev.begin != prev.end)
      return fail("tensors '" + prev.name + "' [" + std::to_string(prev.begin) +
                  ", " + std::to_string(prev.end) + ") and '" + cur.name +
                  "' [" + std::to_string(cur.begin) + ", " +
                  std::to_string(cur.end) + ") overlap");
  }
  return header;
}

/// The tensors of `header` read from a data section of `dataSize` bytes.
static Expected<SafetensorsFile>
readTensors(Header &header, const uint8_t *dataSection, uint64_t dataSize) {
  for (const PendingTensor &t : header.tensors)
    if (t.end > dataSize)
      return fail("tensor '" + t.name + "': data_offsets [" +
                  std::to_string(t.begin) + ", " + std::to_string(t.end) +
                  "] run past the data section (" + std::to_string(dataSize) +
                  " bytes)");
  SafetensorsFile file;
  file.metadata = std::move(header.metadata);
  for (PendingTensor &p : header.tensors) {
    Expected<HostTensor> t = HostTensor::fromBytes(
        p.dtype, p.shape, dataSection + p.begin, size_t(p.end - p.begin));
    if (!t)
      return t.status().withContext("tensor '" + p.name + "'");
    file.tensors.emplace_back(p.name, t.take());
  }
  return file;
}

Expected<SafetensorsFile> parseSafetensors(const uint8_t *data, size_t size) {
  Expected<uint64_t> headerLen = parseHeaderLength(data, size);
  if (!headerLen)
    return headerLen.status();
  if (*headerLen > size - 8)
    return truncatedHeader(*headerLen, size - 8);
  Expected<Header> header = parseHeader(
      std::string_view(reinterpret_cast<const char *>(data + 8), *headerLen));
  if (!header)
    return header.status();
  return readTensors(*header, data + 8 + *headerLen, size - 8 - *headerLen);
}

/// readSafetensors without the path in its errors: the header length, the
/// header, then only as much of the data section as the header's tensors
/// span (a regular file's size is checked first).
static Expected<SafetensorsFile> readSafetensorsFrom(InputFile &file) {
  std::string bytes;
  RESCALE_RETURN_IF_ERROR(file.readUpTo(bytes, 8));
  Expected<uint64_t> headerLen = parseHeaderLength(
      reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
  if (!headerLen)
    return headerLen.status();
  if (file.size() && *headerLen > *file.size() - 8)
    return truncatedHeader(*headerLen, *file.size() - 8);
  RESCALE_RETURN_IF_ERROR(file.readUpTo(bytes, *headerLen));
  if (bytes.size() < 8 + *headerLen)
    return truncatedHeader(*headerLen, bytes.size() - 8);
  Expected<Header> header =
      parseHeader(std::string_view(bytes).substr(8, *headerLen));
  if (!header)
    return header.status();
  uint64_t dataSize = 0;
  if (file.size())
    dataSize = *file.size() - 8 - *headerLen;
  std::string data;
  if (!file.size() || header->dataEnd <= dataSize) {
    RESCALE_RETURN_IF_ERROR(file.readUpTo(data, header->dataEnd));
    if (!file.size())
      dataSize = data.size();
  }
  return readTensors(*header, reinterpret_cast<const uint8_t *>(data.data()),
                     dataSize);
}

Expected<SafetensorsFile> readSafetensors(const std::string &path) {
  Expected<InputFile> file = InputFile::open(path);
  if (!file)
    return file.status();
  Expected<SafetensorsFile> f = readSafetensorsFrom(*file);
  if (!f)
    return f.status().withContext("'" + path + "'");
  return f;
}

Expected<std::string> serializeSafetensors(const SafetensorsFile &file) {
  std::vector<std::pair<std::string, JsonValue>> members;
  if (!file.metadata.empty()) {
    std::vector<std::pair<std::string, JsonValue>> meta;
    for (const auto &[k, v] : file.metadata)
      meta.emplace_back(k, JsonValue::makeString(v));
    members.emplace_back("__metadata__", JsonValue::makeObject(meta));
  }
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto &[name, t] : file.tensors) {
    if (name.empty() || name == "__metadata__" || !names.insert(name).second)
      return Status::error("safetensors tensor names must be unique, "
                           "non-empty and not '__metadata__': '" +
                           name + "'");
    Expected<std::string> dt = safetensorsDTypeName(t.dtype());
    if (!dt)
      return dt.status().withContext("tensor '" + name + "'");
    std::vector<JsonValue> shape;
    for (int64_t d : t.shape())
      shape.push_back(JsonValue::makeNumber(double(d), true, d));
    uint64_t end = offset + t.numBytes();
    std::vector<JsonValue> offsets = {
        JsonValue::makeNumber(double(offset), true, int64_t(offset)),
        JsonValue::makeNumber(double(end), true, int64_t(end))};
    members.emplace_back(
        name, JsonValue::makeObject(
                  {{"dtype", JsonValue::makeString(*dt)},
                   {"shape", JsonValue::makeArray(std::move(shape))},
                   {"data_offsets", JsonValue::makeArray(offsets)}}));
    offset = end;
  }
  std::string header = JsonValue::makeObject(std::move(members)).serialize();
  // The data section starts 8-byte aligned, as the reference writer does.
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string out;
  uint64_t len = header.size();
  for (int i = 0; i < 8; ++i)
    out += char((len >> (8 * i)) & 0xff);
  out += header;
  for (const auto &[name, t] : file.tensors)
    out.append(reinterpret_cast<const char *>(t.data()), t.numBytes());
  return out;
}

Status writeSafetensors(const std::string &path, const SafetensorsFile &file) {
  Expected<std::string> bytes = serializeSafetensors(file);
  if (!bytes)
    return bytes.status().withContext("writing '" + path + "'");
  return writeFileBytes(path, *bytes);
}

Expected<HostTensor> packFp4(const HostTensor &unpacked) {
  if (unpacked.dtype() != DType::F4E2M1FN)
    return Status::error("packFp4 expects f4E2M1FN, got " +
                         unpacked.typeString());
  std::vector<int64_t> shape = unpacked.shape();
  if (shape.empty() || shape.back() % 2 != 0)
    return Status::error("packFp4 needs an even last dimension, got " +
                         unpacked.typeString());
  shape.back() /= 2;
  Expected<HostTensor> packed = HostTensor::create(DType::U8, shape);
  if (!packed)
    return packed;
  const uint8_t *src = unpacked.data();
  for (int64_t i = 0; i < packed->numElements(); ++i) {
    uint8_t lo = src[2 * i], hi = src[2 * i + 1];
    if ((lo | hi) & 0xf0)
      return Status::error("f4E2M1FN element at index " +
                           std::to_string((lo & 0xf0) ? 2 * i : 2 * i + 1) +
                           " has bits above the low nibble");
    packed->data()[i] = uint8_t(lo | (hi << 4));
  }
  return packed;
}

Expected<HostTensor> unpackFp4(const HostTensor &packed) {
  if (packed.dtype() != DType::U8)
    return Status::error("unpackFp4 expects u8, got " + packed.typeString());
  std::vector<int64_t> shape = packed.shape();
  if (shape.empty())
    return Status::error("unpackFp4 needs rank >= 1");
  shape.back() *= 2;
  Expected<HostTensor> out = HostTensor::create(DType::F4E2M1FN, shape);
  if (!out)
    return out;
  for (int64_t i = 0; i < packed.numElements(); ++i) {
    out->data()[2 * i] = packed.data()[i] & 0xf;
    out->data()[2 * i + 1] = packed.data()[i] >> 4;
  }
  return out;
}

} // namespace rescale::runtime
