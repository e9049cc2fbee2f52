// Entry signatures rescale-compile rejects, each at its function.
func.func @index_input(%x: tensor<4xf32>, %i: index) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func @i32_result(%x: tensor<4xf32>) -> i32 {
  %c = arith.constant 1 : i32
  return %c : i32
}
func.func private @declared_only(%x: tensor<4xf32>) -> tensor<4xf32>
func.func @calls_a_declaration(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = func.call @declared_only(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @_rescale_entry_reserved(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
// Declared and never called: harmless, no diagnostic.
func.func private @unused_declaration(%x: tensor<4xf32>) -> tensor<4xf32>
// More elements than the runtime can count (2^64): refused here rather than
// when the module is loaded.
func.func @too_large(%x: tensor<4611686018427387904x4xf32>) {
  return
}
// Names of libc/libm functions: the lowering's own calls (malloc, expf) would
// reach them, and loaded modules' calls can bind to the library's instead.
func.func @exp(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = math.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @malloc(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
// A NUL in the name: no ELF symbol (dlsym takes a C string) can hold it.
func.func @"nul\00name"(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
