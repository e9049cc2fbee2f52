// RUN: rescale-opt %S/Inputs/softmax.mlir --rescale-decompose-aggregated-ops | FileCheck %s
// The CPU pipeline runs it: linalg.softmax compiles and matches a float64
// softmax of the same inputs (f32 within 1e-6, bf16 within 4e-3: one bf16
// rounding of values <= 1).
// RUN: rm -rf %t && mkdir -p %t
// RUN: rescale-run %S/Inputs/softmax.mlir --entry softmax_last_f32 --random-inputs --seed 5 --output-dir %t/f32
// RUN: %python %S/Inputs/check_softmax.py %t/f32 1 1e-6 | FileCheck %s --check-prefix=NUM
// RUN: rescale-run %S/Inputs/softmax.mlir --entry softmax_middle_bf16 --random-inputs --seed 6 --output-dir %t/bf16
// RUN: %python %S/Inputs/check_softmax.py %t/bf16 1 4e-3 | FileCheck %s --check-prefix=NUM
// NUM: PASS softmax over dim 1
// And for the GPU: every op of it becomes a kernel.
// RUN: rescale-compile %S/Inputs/softmax.mlir --target=nvptx --emit=ptx -o %t/softmax.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t/softmax.ptx
// PTX-DAG: .entry softmax_last_f32_
// PTX-DAG: .entry softmax_middle_bf16_

// CHECK-LABEL: func.func @softmax_last_f32
// CHECK-NOT: linalg.softmax
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.maxnumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK-LABEL: func.func @softmax_middle_bf16
// CHECK-NOT: linalg.softmax
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
