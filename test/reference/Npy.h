//===- Npy.h - a small .npy reader and writer for the numerics tests -*- C++
//-*-===//
//
// Reads and writes NumPy .npy files (format versions 1-3, little-endian,
// C order) holding f32, f64, f16, i8, u8, i32 or i64. Values are held as
// f64, which represents every element of those types exactly. Written for the
// test tree on purpose: the numerics check must not trust the runtime's npy
// code to read back what that same code wrote.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TEST_REFERENCE_NPY_H
#define RESCALE_TEST_REFERENCE_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace rescale_ref {

struct NpyArray {
  std::string descr; // e.g. "<f4", "|i1"
  std::vector<int64_t> shape;
  std::vector<double> data;
  /// Raw bytes for one-byte element types ("|u1", "|i1"), so that narrow
  /// float formats stored as bytes can be decoded by the caller.
  std::vector<uint8_t> bytes;
};

/// Returns false and sets `error` on a missing or malformed file.
bool readNpy(const std::string &path, NpyArray &out, std::string &error);

/// Writes `data` with element type `descr` ("<f4", "<f8", "<f2", "|i1",
/// "<i4", "<i8"). Values are converted (f32/f16 with round-to-nearest-even).
bool writeNpy(const std::string &path, const std::string &descr,
              const std::vector<int64_t> &shape,
              const std::vector<double> &data, std::string &error);

} // namespace rescale_ref

#endif // RESCALE_TEST_REFERENCE_NPY_H
