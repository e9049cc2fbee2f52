//===- Npy.cpp - a small .npy reader and writer ---------------------------===//

#include "Npy.h"
#include "FloatFormats.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace rescale_ref {

/// The value of `key` in the header dict, up to the next top-level comma.
static bool findHeaderValue(const std::string &header, const std::string &key,
                            std::string &value) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return false;
  size_t colon = header.find(':', k);
  if (colon == std::string::npos)
    return false;
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos)
    return false;
  size_t end;
  if (header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos)
      return false;
    ++end;
  } else {
    end = header.find_first_of(",}", start);
    if (end == std::string::npos)
      return false;
  }
  value = header.substr(start, end - start);
  return true;
}

static size_t elementSize(const std::string &descr) {
  if (descr == "<f8" || descr == "<i8")
    return 8;
  if (descr == "<f4" || descr == "<i4")
    return 4;
  if (descr == "<f2")
    return 2;
  if (descr == "|i1" || descr == "|u1" || descr == "|b1")
    return 1;
  return 0;
}

bool readNpy(const std::string &path, NpyArray &out, std::string &error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = path + ": cannot open";
    return false;
  }
  std::string content((std::istreambuf_iterator<char>(f)),
                      std::istreambuf_iterator<char>());
  if (content.size() < 10 || content.compare(0, 6, "\x93NUMPY") != 0) {
    error = path + ": not an .npy file";
    return false;
  }
  int major = uint8_t(content[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = uint8_t(content[8]) | (uint8_t(content[9]) << 8);
    headerStart = 10;
  } else {
    if (content.size() < 12) {
      error = path + ": truncated header";
      return false;
    }
    headerLen = uint32_t(uint8_t(content[8])) |
                (uint32_t(uint8_t(content[9])) << 8) |
                (uint32_t(uint8_t(content[10])) << 16) |
                (uint32_t(uint8_t(content[11])) << 24);
    headerStart = 12;
  }
  if (headerStart + headerLen > content.size()) {
    error = path + ": truncated header";
    return false;
  }
  std::string header = content.substr(headerStart, headerLen);
  std::string descr, fortran, shape;
  if (!findHeaderValue(header, "descr", descr) ||
      !findHeaderValue(header, "fortran_order", fortran) ||
      !findHeaderValue(header, "shape", shape)) {
    error = path + ": header lacks descr, fortran_order or shape";
    return false;
  }
  if (descr.size() >= 2 && descr.front() == '\'' && descr.back() == '\'')
    descr = descr.substr(1, descr.size() - 2);
  if (descr == "<b1")
    descr = "|b1";
  if (fortran.find("True") != std::string::npos) {
    error = path + ": fortran_order arrays are not supported";
    return false;
  }
  size_t esize = elementSize(descr);
  if (!esize) {
    error = path + ": unsupported dtype '" + descr + "'";
    return false;
  }
  out.descr = descr;
  out.shape.clear();
  int64_t count = 1;
  for (size_t i = 1; i + 1 < shape.size();) {
    size_t j = shape.find_first_of(",)", i);
    std::string tok = shape.substr(i, j - i);
    size_t b = tok.find_first_not_of(' ');
    if (b != std::string::npos) {
      int64_t d = std::stoll(tok.substr(b));
      out.shape.push_back(d);
      count *= d;
    }
    i = j + 1;
  }
  size_t dataStart = headerStart + headerLen;
  if (content.size() - dataStart != size_t(count) * esize) {
    std::ostringstream os;
    os << path << ": expected " << count * esize << " data bytes, found "
       << content.size() - dataStart;
    error = os.str();
    return false;
  }
  const char *p = content.data() + dataStart;
  out.data.resize(count);
  out.bytes.clear();
  for (int64_t i = 0; i < count; ++i, p += esize) {
    double v = 0;
    if (descr == "<f8") {
      std::memcpy(&v, p, 8);
    } else if (descr == "<f4") {
      float x;
      std::memcpy(&x, p, 4);
      v = x;
    } else if (descr == "<f2") {
      uint16_t h;
      std::memcpy(&h, p, 2);
      v = decodeF16(h);
    } else if (descr == "<i8") {
      int64_t x;
      std::memcpy(&x, p, 8);
      v = double(x);
    } else if (descr == "<i4") {
      int32_t x;
      std::memcpy(&x, p, 4);
      v = x;
    } else if (descr == "|i1") {
      v = int8_t(*p);
    } else { // |u1, |b1
      v = uint8_t(*p);
    }
    out.data[i] = v;
    if (esize == 1)
      out.bytes.push_back(uint8_t(*p));
  }
  return true;
}

bool writeNpy(const std::string &path, const std::string &descr,
              const std::vector<int64_t> &shape,
              const std::vector<double> &data, std::string &error) {
  size_t esize = elementSize(descr);
  if (!esize) {
    error = "writeNpy: unsupported dtype " + descr;
    return false;
  }
  std::ostringstream h;
  h << "{'descr': '" << descr << "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    h << shape[i] << (shape.size() == 1 || i + 1 < shape.size() ? "," : "")
      << (i + 1 < shape.size() ? " " : "");
  h << "), }";
  std::string header = h.str();
  // Pad so that the data starts on a 64-byte boundary, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream f(path, std::ios::binary);
  if (!f) {
    error = path + ": cannot write";
    return false;
  }
  f.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = uint16_t(header.size());
  char lenBytes[2] = {char(len & 0xFF), char(len >> 8)};
  f.write(lenBytes, 2);
  f.write(header.data(), header.size());
  for (double v : data) {
    char buf[8];
    if (descr == "<f8") {
      std::memcpy(buf, &v, 8);
    } else if (descr == "<f4") {
      float x = float(v);
      std::memcpy(buf, &x, 4);
    } else if (descr == "<f2") {
      uint16_t x = encodeF16(v);
      std::memcpy(buf, &x, 2);
    } else if (descr == "<i8") {
      int64_t x = int64_t(v);
      std::memcpy(buf, &x, 8);
    } else if (descr == "<i4") {
      int32_t x = int32_t(v);
      std::memcpy(buf, &x, 4);
    } else {
      buf[0] = char(int8_t(v));
    }
    f.write(buf, esize);
  }
  if (!f) {
    error = path + ": write failed";
    return false;
  }
  return true;
}

} // namespace rescale_ref
