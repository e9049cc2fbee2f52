//===- Export.h - What librescale_runtime.so exports ------------*- C++ -*-===//
//
// The runtime is loaded into other people's processes (a Python process
// running PyTorch, a trainer, a user's own loader), so it exports its
// documented API and nothing else:
//  * it is compiled with -fvisibility=hidden -fvisibility-inlines-hidden;
//  * every function of runtime/include carries RESCALE_RUNTIME_API: the free
//    functions and the out-of-line members of its classes, not the classes
//    themselves, since a class of default visibility would give the standard
//    library's instantiations over it (std::vector<JsonValue>, ...) default
//    visibility too;
//  * a linker version script (runtime/librescale_runtime.map) makes local
//    whatever default visibility still lets out.
// test/tools/exported-symbols.test holds the result to an allow-list.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_EXPORT_H
#define RESCALE_RUNTIME_EXPORT_H

#define RESCALE_RUNTIME_API __attribute__((visibility("default")))

#endif // RESCALE_RUNTIME_EXPORT_H
