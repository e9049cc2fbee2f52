/* heap-tuning.test: an LD_PRELOAD shim that prints each mallopt call to
   stderr and then makes it, so the test sees what a tool sets. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

int mallopt(int param, int value) {
  int (*real)(int, int) = (int (*)(int, int))dlsym(RTLD_NEXT, "mallopt");
  fprintf(stderr, "mallopt(%d, %d)\n", param, value);
  return real ? real(param, value) : 0;
}
