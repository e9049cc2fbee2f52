// The gated delta rule's kernels (../Inputs/gated-delta-rule.mlir: bf16
// forward, f32 backward; and this file's dk = dv = 128 pair, whose chunks
// shrink to fit shared memory) assemble with ptxas for sm_90 and sm_80 with
// no spills and no stack frame, and exp lowers to native PTX, with no call
// left. (Compiled only; the numerics are gated-delta-rule-emulated.test.)
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/../Inputs/gated-delta-rule.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s --check-prefix=NOSPILL < %t.sm90.log
// RUN: FileCheck %s < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx
// RUN: rescale-opt %s --rescale-lower-to-nvptx="chip=sm_80 format=isa" -o %t.sm80.mlir
// RUN: rm -rf %t.sm80 && python3 %S/Inputs/extract_ptx.py %t.sm80.mlir %t.sm80
// RUN: %ptxas -v --gpu-name sm_80 %t.sm80/rescale_kernels.ptx -o %t.sm80.cubin > %t.sm80.log 2>&1
// RUN: FileCheck %s --check-prefix=NOSPILL < %t.sm80.log
// RUN: FileCheck %s --check-prefix=WIDE < %t.sm80.log

// NOSPILL-NOT: {{[1-9][0-9]*}} bytes spill
// NOSPILL-NOT: {{[1-9][0-9]*}} bytes stack frame

// CHECK-DAG: Compiling entry function 'forward_gated_delta_rule' for 'sm_90'
// CHECK-DAG: Compiling entry function 'backward_gated_delta_rule_grad' for 'sm_90'
// WIDE-DAG: Compiling entry function 'wide_forward_gated_delta_rule' for 'sm_80'
// WIDE-DAG: Compiling entry function 'wide_backward_gated_delta_rule_grad' for 'sm_80'

// PTX-NOT: call.uni
// PTX: ex2.approx

func.func @wide_backward(%q: tensor<1x64x1x128xbf16>, %k: tensor<1x64x1x128xbf16>, %v: tensor<1x64x1x128xbf16>, %g: tensor<1x64x1xf32>, %b: tensor<1x64x1xf32>, %do: tensor<1x64x1x128xbf16>) -> (tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>) {
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do : (tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>, tensor<1x64x1x128xbf16>) -> (tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>)
  return %dq, %dk, %dv, %dg, %db : tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>
}

func.func @wide_forward(%q: tensor<1x64x1x128xbf16>, %k: tensor<1x64x1x128xbf16>, %v: tensor<1x64x1x128xbf16>, %g: tensor<1x64x1xf32>, %b: tensor<1x64x1xf32>) -> tensor<1x64x1x128xbf16> {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>) -> tensor<1x64x1x128xbf16>
  return %o : tensor<1x64x1x128xbf16>
}
