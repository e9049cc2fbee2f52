//===- HeapTuning.h - keep freed heap memory for the next call --*- C++ -*-===//
//
// A compiled CPU module allocates its temporaries with malloc and frees them
// before it returns. With glibc's defaults, buffers above the dynamic mmap
// threshold get fresh pages from the kernel on every call, and freed memory
// at the top of the heap goes back to the kernel once 128 KiB are free. A
// train step then page-faults its whole working set each step: in the CPU
// train step of bench/cpu/train.sh, page faults and zeroing of fresh pages
// were about 7% of the profile and the step ran 30-40% slower
// (bench/RESULTS.md, 2026-12-07).
//
// keepFreedHeapMemory() makes freed memory stay mapped for reuse: buffers
// below 32 MiB come from the heap, and up to 256 MiB free at the top of a
// heap is kept. It changes process-wide malloc settings, so only our own
// tools call it (rescale-run, rescale-train), first thing in main; a library
// user embedding the runtime keeps their process's settings. Header-only:
// not part of the runtime's exported API.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_RUNTIME_HEAPTUNING_H
#define RESCALE_RUNTIME_HEAPTUNING_H

// Any libc header defines __GLIBC__ on glibc; test it only after one.
#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rescale::runtime {

inline void keepFreedHeapMemory() {
#if defined(__GLIBC__)
  // 32 MiB is glibc's largest mmap threshold on 64-bit (HEAP_MAX_SIZE / 2);
  // setting it also turns off the dynamic threshold.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_HEAPTUNING_H
