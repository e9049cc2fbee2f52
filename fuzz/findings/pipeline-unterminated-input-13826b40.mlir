// Round trip of rescale.linear and the ablation ops (dyt, clip): custom form,
// through the generic form and bytecode, and --verify-roundtrip.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rerm and bytecode, and --verify-roundtrip.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCh
// dequantize mxfp4: the E8M0 code c is 2^(c - 127
  %x = rescale.dequaen