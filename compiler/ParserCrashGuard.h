//===- ParserCrashGuard.h - inputs that crash MLIR 22's parser --*- C++ -*-===//
//
// Bad input never crashes our tools, but some text crashes libMLIR's own
// parser before any of our code runs. fuzz-pipeline-cpu found one family
// (2026-12-05): the custom assembly of linalg.transpose, linalg.broadcast and
// linalg.reduce reads `permutation = [...]` / `dimensions = [...]` with
// DenseI64ArrayAttr::parse and stores its result unchecked, so a malformed
// list (`permutation = [1,` cut short, `dimensions = x`) is a null attribute
// and a SEGV in NamedAttrList::set (mlir-opt-22 itself crashes the same way).
// The tools scan their input for it first and report it as a parse error.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_COMPILER_PARSERCRASHGUARD_H
#define RESCALE_COMPILER_PARSERCRASHGUARD_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::rescale {

struct ParserCrash {
  size_t line, column; // 1-based
  std::string message;
  /// "PATH:LINE:COL: error: MESSAGE", as MLIR prints its parse errors.
  std::string format(llvm::StringRef path) const;
};

/// The first construct of `text` known to crash MLIR 22's parser, or
/// nullopt. Comments and string literals are skipped.
std::optional<ParserCrash> findParserCrash(llvm::StringRef text);

} // namespace mlir::rescale

#endif // RESCALE_COMPILER_PARSERCRASHGUARD_H
