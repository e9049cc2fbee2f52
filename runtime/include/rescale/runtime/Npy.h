//===- Npy.h - NumPy .npy reader and writer ---------------------*- C++ -*-===//
//
// Format 1.0/2.0/3.0 headers, little-endian (or byte-order-free) data, C order
// only. dtypes: <f4 <f8 <f2 |i1 <i4 <i8 |u1 <u2 |b1 (bool -> i1).
// Every malformed input (bad magic, truncated or lying header length, unknown
// dtype, Fortran order, data shorter or longer than the shape says) is an
// error with a clear message, never a crash or an out-of-bounds read.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_NPY_H
#define RESCALE_RUNTIME_NPY_H

#include "rescale/runtime/Export.h"
#include "rescale/runtime/HostTensor.h"

#include <string>

namespace rescale::runtime {

/// Parse an in-memory .npy image.
RESCALE_RUNTIME_API Expected<HostTensor> parseNpy(const uint8_t *data,
                                                  size_t size);
/// Read a .npy file; errors are prefixed with the path.
RESCALE_RUNTIME_API Expected<HostTensor> readNpy(const std::string &path);

/// Serialize. bf16 and the fp8/fp4 types have no .npy dtype: convert first
/// (convertTensor(t, DType::F32)); writing them is an error.
RESCALE_RUNTIME_API Expected<std::string>
serializeNpy(const HostTensor &tensor);
RESCALE_RUNTIME_API Status writeNpy(const std::string &path,
                                    const HostTensor &tensor);

/// The numpy descr for a dtype ("<f4"), or an error if it has none.
RESCALE_RUNTIME_API Expected<std::string> npyDescr(DType dtype);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_NPY_H
