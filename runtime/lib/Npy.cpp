//===- Npy.cpp - NumPy .npy reader and writer -----------------------------===//
//
// Layout: "\x93NUMPY", major, minor, header length (2 bytes LE for 1.0, 4 for
// 2.0/3.0), then an ASCII Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a '\n', then the raw C-order data.
//
//===----------------------------------------------------------------------===//
#include "rescale/runtime/Npy.h"

#include "File.h"

#include <cstring>

namespace rescale::runtime {

namespace {

struct NpyDTypeEntry {
  const char *descr;
  DType dtype;
};
// '|' marks byte-order-free single-byte types; numpy also writes them with
// '<' or '=' in some versions, which parseDescr accepts.
constexpr NpyDTypeEntry kNpyDTypes[] = {
    {"<f4", DType::F32}, {"<f8", DType::F64}, {"<f2", DType::F16},
    {"|i1", DType::I8},  {"<i4", DType::I32}, {"<i8", DType::I64},
    {"|u1", DType::U8},  {"<u2", DType::U16}, {"|b1", DType::I1},
};

} // namespace

static Expected<DType> parseDescr(const std::string &descr) {
  std::string d = descr;
  if (d.size() == 3 && (d[0] == '=' || d[0] == '<' || d[0] == '|')) {
    // Normalize: single-byte types are order-free, '=' is native (= little
    // on every platform we run on).
    bool singleByte = d[2] == '1';
    d[0] = singleByte ? '|' : '<';
  }
  for (const NpyDTypeEntry &e : kNpyDTypes)
    if (d == e.descr)
      return e.dtype;
  if (!descr.empty() && descr[0] == '>')
    return Status::error("big-endian dtype '" + descr +
                         "' is not supported (save little-endian)");
  return Status::error("unsupported npy dtype '" + descr +
                       "' (supported: <f4 <f8 <f2 |i1 <i4 <i8 |u1 |b1)");
}

namespace {

/// Parses the header dict. Accepts exactly the keys descr, fortran_order and
/// shape, in any order, each once.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  Status parse(std::string &descr, bool &fortranOrder,
               std::vector<int64_t> &shape) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      RESCALE_RETURN_IF_ERROR(parseQuoted(key));
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'");
      skipSpace();
      if (key == "descr" && !haveDescr) {
        RESCALE_RETURN_IF_ERROR(parseQuoted(descr));
        haveDescr = true;
      } else if (key == "fortran_order" && !haveOrder) {
        if (consumeWord("True"))
          fortranOrder = true;
        else if (consumeWord("False"))
          fortranOrder = false;
        else
          return fail("fortran_order must be True or False");
        haveOrder = true;
      } else if (key == "shape" && !haveShape) {
        RESCALE_RETURN_IF_ERROR(parseShape(shape));
        haveShape = true;
      } else {
        return fail("unexpected or repeated key '" + key + "'");
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}'");
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("header lacks one of 'descr', 'fortran_order', 'shape'");
    skipSpace();
    if (pos_ != text_.size())
      return fail("trailing characters after the header dict");
    return Status::ok();
  }

private:
  Status fail(const std::string &what) const {
    return Status::error("malformed npy header: " + what);
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  void skipSpace() {
    while (!atEnd() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                        text_[pos_] == '\t' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool consume(char c) {
    if (atEnd() || text_[pos_] != c)
      return false;
    ++pos_;
    return true;
  }
  bool consumeWord(std::string_view w) {
    if (text_.substr(pos_, w.size()) != w)
      return false;
    pos_ += w.size();
    return true;
  }
  Status parseQuoted(std::string &out) {
    if (atEnd() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      return fail("expected a quoted string");
    char q = text_[pos_++];
    size_t end = text_.find(q, pos_);
    if (end == std::string_view::npos)
      return fail("unterminated string");
    out = std::string(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return Status::ok();
  }
  Status parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return fail("shape must be a tuple");
    shape.clear();
    while (true) {
      skipSpace();
      if (consume(')'))
        return Status::ok();
      if (atEnd() || text_[pos_] < '0' || text_[pos_] > '9')
        return fail("shape entries must be non-negative integers");
      int64_t v = 0;
      while (!atEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (v > (int64_t(1) << 56))
          return fail("shape entry too large");
        v = v * 10 + (text_[pos_++] - '0');
      }
      if (!atEnd() && text_[pos_] == 'L') // Python 2 longs
        ++pos_;
      shape.push_back(v);
      if (shape.size() > 64)
        return fail("rank above 64");
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')'))
        return Status::ok();
      return fail("expected ',' or ')' in shape");
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

} // namespace

static uint32_t readLE(const uint8_t *p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

Expected<std::string> npyDescr(DType dtype) {
  for (const NpyDTypeEntry &e : kNpyDTypes)
    if (e.dtype == dtype)
      return std::string(e.descr);
  return Status::error("dtype " + std::string(dtypeName(dtype)) +
                       " has no .npy representation" +
                       (dtype == DType::BF16 ? " (write bf16 as f32)" : ""));
}

namespace {
/// Numpy itself refuses headers above 10000 bytes; a rank-64 shape fits in
/// far less than this.
constexpr uint64_t kMaxNpyHeaderBytes = 1 << 20;

/// The fixed part of a .npy file: magic, version, header length.
struct NpyPrefix {
  size_t size;      // 10 for format 1.0, 12 for 2.0 and 3.0
  size_t headerLen; // the header dict's length
};
} // namespace

/// `data` holds the first `size` bytes of the file: at least 12, or the
/// whole of a shorter file.
static Expected<NpyPrefix> parseNpyPrefix(const uint8_t *data, size_t size) {
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10)
    return Status::error("not an npy file: only " + std::to_string(size) +
                         " bytes");
  if (std::memcmp(data, kMagic, 6) != 0)
    return Status::error("not an npy file: bad magic");
  uint8_t major = data[6];
  if (major < 1 || major > 3)
    return Status::error("unsupported npy format version " +
                         std::to_string(major) + "." + std::to_string(data[7]));
  NpyPrefix prefix;
  prefix.size = major == 1 ? 10 : 12;
  if (size < prefix.size)
    return Status::error("truncated npy header");
  prefix.headerLen = readLE(data + 8, major == 1 ? 2 : 4);
  if (prefix.headerLen > kMaxNpyHeaderBytes)
    return Status::error("npy header length " +
                         std::to_string(prefix.headerLen) +
                         " exceeds the 1 MiB limit");
  return prefix;
}

static Status truncatedHeader(const NpyPrefix &prefix, uint64_t follow) {
  return Status::error("truncated npy header: header length " +
                       std::to_string(prefix.headerLen) + " but only " +
                       std::to_string(follow) + " bytes follow");
}

namespace {
/// What the header dict says.
struct NpyHeader {
  std::string descr;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t dataBytes; // what the shape needs
};
} // namespace

static Expected<NpyHeader> parseNpyHeader(std::string_view text) {
  NpyHeader h;
  bool fortranOrder = false;
  RESCALE_RETURN_IF_ERROR(
      HeaderParser(text).parse(h.descr, fortranOrder, h.shape));
  Expected<DType> dtype = parseDescr(h.descr);
  if (!dtype)
    return dtype.status();
  h.dtype = *dtype;
  if (fortranOrder)
    return Status::error("Fortran-order npy arrays are not supported (save "
                         "with np.ascontiguousarray)");
  Expected<int64_t> n = checkedNumElements(h.shape);
  if (!n)
    return n.status();
  if (__builtin_mul_overflow(uint64_t(*n), uint64_t(dtypeByteSize(h.dtype)),
                             &h.dataBytes))
    return Status::error("npy shape " + formatShape(h.shape) + " of " +
                         h.descr + " needs more than 2^64 bytes");
  return h;
}

static Status dataSizeMismatch(const NpyHeader &h, const std::string &fileHas) {
  return Status::error("npy data size mismatch: shape " + formatShape(h.shape) +
                       " of " + h.descr + " needs " +
                       std::to_string(h.dataBytes) + " bytes, file has " +
                       fileHas);
}

Expected<HostTensor> parseNpy(const uint8_t *data, size_t size) {
  Expected<NpyPrefix> prefix = parseNpyPrefix(data, size);
  if (!prefix)
    return prefix.status();
  if (prefix->headerLen > size - prefix->size)
    return truncatedHeader(*prefix, size - prefix->size);
  Expected<NpyHeader> header = parseNpyHeader(std::string_view(
      reinterpret_cast<const char *>(data + prefix->size), prefix->headerLen));
  if (!header)
    return header.status();
  size_t dataStart = prefix->size + prefix->headerLen;
  if (header->dataBytes != size - dataStart)
    return dataSizeMismatch(*header, std::to_string(size - dataStart));
  return HostTensor::fromBytes(header->dtype, header->shape, data + dataStart,
                               size - dataStart);
}

/// readNpy without the path in its errors: the prefix, then the header it
/// announces, then the data the header announces; a regular file's size is
/// checked before its data is read, and a stream must end right after it.
static Expected<HostTensor> readNpyFrom(InputFile &file) {
  std::string head;
  RESCALE_RETURN_IF_ERROR(file.readUpTo(head, 12));
  Expected<NpyPrefix> prefix = parseNpyPrefix(
      reinterpret_cast<const uint8_t *>(head.data()), head.size());
  if (!prefix)
    return prefix.status();
  uint64_t dataStart = prefix->size + prefix->headerLen;
  if (file.size() && prefix->headerLen > *file.size() - prefix->size)
    return truncatedHeader(*prefix, *file.size() - prefix->size);
  if (head.size() < dataStart)
    RESCALE_RETURN_IF_ERROR(file.readUpTo(head, dataStart - head.size()));
  if (head.size() < dataStart)
    return truncatedHeader(*prefix, head.size() - prefix->size);
  Expected<NpyHeader> header = parseNpyHeader(
      std::string_view(head).substr(prefix->size, prefix->headerLen));
  if (!header)
    return header.status();
  // What followed the header in the first read is data.
  std::string data = head.substr(dataStart);
  if (file.size()) {
    uint64_t available = *file.size() - dataStart;
    if (available != header->dataBytes)
      return dataSizeMismatch(*header, std::to_string(available));
  }
  if (data.size() < header->dataBytes)
    RESCALE_RETURN_IF_ERROR(
        file.readUpTo(data, header->dataBytes - data.size()));
  if (data.size() != header->dataBytes)
    return dataSizeMismatch(*header, std::to_string(data.size()));
  Expected<bool> more = file.hasMore();
  if (!more)
    return more.status();
  if (*more)
    return dataSizeMismatch(*header, "more");
  return HostTensor::fromBytes(header->dtype, header->shape,
                               reinterpret_cast<const uint8_t *>(data.data()),
                               data.size());
}

Expected<HostTensor> readNpy(const std::string &path) {
  Expected<InputFile> file = InputFile::open(path);
  if (!file)
    return file.status();
  Expected<HostTensor> t = readNpyFrom(*file);
  if (!t)
    return t.status().withContext("'" + path + "'");
  return t;
}

Expected<std::string> serializeNpy(const HostTensor &tensor) {
  Expected<std::string> descr = npyDescr(tensor.dtype());
  if (!descr)
    return descr.status();
  // Python tuple syntax: "()", "(5,)", "(2, 3)".
  std::string tuple = "(";
  for (size_t i = 0; i < tensor.shape().size(); ++i)
    tuple += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
  tuple += tensor.shape().size() == 1 ? ",)" : ")";
  std::string dict =
      "{'descr': '" + *descr + "', 'fortran_order': False, 'shape': " + tuple;
  dict += ", }";
  // Pad so that the data starts at a multiple of 64 bytes.
  bool v2 = dict.size() + 1 + 10 > 65535;
  size_t prefix = v2 ? 12 : 10;
  size_t total = prefix + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += char(v2 ? 2 : 1);
  out += char(0);
  size_t len = dict.size();
  for (int i = 0; i < (v2 ? 4 : 2); ++i)
    out += char((len >> (8 * i)) & 0xff);
  out += dict;
  out.append(reinterpret_cast<const char *>(tensor.data()), tensor.numBytes());
  return out;
}

Status writeNpy(const std::string &path, const HostTensor &tensor) {
  Expected<std::string> bytes = serializeNpy(tensor);
  if (!bytes)
    return bytes.status().withContext("writing '" + path + "'");
  return writeFileBytes(path, *bytes);
}

} // namespace rescale::runtime
