; One empty kernel: what llc prints for it shows the PTX version LLVM picks
; for a chip (target-check.test).
target triple = "nvptx64-nvidia-cuda"

define ptx_kernel void @empty() {
  ret void
}
