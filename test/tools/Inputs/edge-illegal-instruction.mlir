// An entry that executes an instruction the CPU rejects (ud2 from
// llvm.intr.trap: SIGILL), as a module built for a CPU with features this
// host lacks would. The trap sits in an llvm.func: bufferization does not
// accept an op with unknown memory effects in a func.func.
llvm.func @trap_now() {
  llvm.intr.trap
  llvm.return
}

func.func @illegal_instruction(%x: tensor<2xf32>) -> tensor<2xf32> {
  llvm.call @trap_now() : () -> ()
  return %x : tensor<2xf32>
}
