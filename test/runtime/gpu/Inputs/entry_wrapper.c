/* The compiled-module entry ABI over MLIR's C interface:
 * _rescale_entry_main(void **args), args[i] -> memref descriptor i. */
void _mlir_ciface_main(void *x, void *out, void *out2);
void _rescale_entry_main(void **args) {
  _mlir_ciface_main(args[0], args[1], args[2]);
}
