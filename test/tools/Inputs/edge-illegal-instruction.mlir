// An entry that executes an instruction the CPU rejects (ud2 from
// llvm.intr.trap: SIGILL), as a module built for a CPU with features this
// host lacks would.
func.func @illegal_instruction(%x: tensor<2xf32>) -> tensor<2xf32> {
  llvm.intr.trap
  return %x : tensor<2xf32>
}
