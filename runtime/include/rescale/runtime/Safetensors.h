//===- Safetensors.h - safetensors reader and writer ------------*- C++ -*-===//
//
// The standard format: 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {"k": "v"}}, then the data section. Offsets are relative
// to the data section; tensors must not overlap and must lie inside it.
//
// dtypes: F32 F64 F16 BF16 I8 I32 I64 BOOL U8 U16 F8_E4M3. "U8 (packed FP4)" is
// a U8 tensor whose bytes hold two E2M1 values each (low nibble first, the
// convention of NVIDIA's NVFP4 checkpoints); packFp4/unpackFp4 convert
// between it and the runtime's one-byte-per-element f4E2M1FN tensors.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_SAFETENSORS_H
#define RESCALE_RUNTIME_SAFETENSORS_H

#include "rescale/runtime/Export.h"
#include "rescale/runtime/HostTensor.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rescale::runtime {

struct SafetensorsFile {
  /// Tensors in file order (sorted by data offset).
  std::vector<std::pair<std::string, HostTensor>> tensors;
  std::map<std::string, std::string> metadata;

  /// nullptr if absent.
  RESCALE_RUNTIME_API const HostTensor *find(const std::string &name) const;
};

RESCALE_RUNTIME_API Expected<SafetensorsFile>
parseSafetensors(const uint8_t *data, size_t size);
RESCALE_RUNTIME_API Expected<SafetensorsFile>
readSafetensors(const std::string &path);

/// Serialize in the given order; names must be unique and non-empty.
RESCALE_RUNTIME_API Expected<std::string>
serializeSafetensors(const SafetensorsFile &file);
RESCALE_RUNTIME_API Status writeSafetensors(const std::string &path,
                                            const SafetensorsFile &file);

/// Safetensors dtype name <-> runtime dtype ("F8_E4M3" <-> f8E4M3FN).
RESCALE_RUNTIME_API Expected<DType>
parseSafetensorsDType(std::string_view name);
RESCALE_RUNTIME_API Expected<std::string> safetensorsDTypeName(DType dtype);

/// f4E2M1FN [..., 2k] (one value per byte) -> u8 [..., k], low nibble first.
RESCALE_RUNTIME_API Expected<HostTensor> packFp4(const HostTensor &unpacked);
/// u8 [..., k] -> f4E2M1FN [..., 2k].
RESCALE_RUNTIME_API Expected<HostTensor> unpackFp4(const HostTensor &packed);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_SAFETENSORS_H
