//===- PipelineFuzzer.cpp - IR text through a whole compile ---------------===//
//
// The input is MLIR text. It is parsed and verified with every dialect
// rescale-compile registers, then compiled as rescale-compile does for
// RESCALE_FUZZ_TARGET (cpu: --rescale-lower-to-cpu, stopping at the LLVM
// dialect; nvptx: --rescale-lower-to-nvptx to PTX). Every diagnostic is
// swallowed: an input may fail anywhere, as long as it fails with a
// diagnostic rather than a crash, an abort or a report_fatal_error.
//
//===----------------------------------------------------------------------===//
#include "compiler/ModuleCompiler.h"
#include "compiler/ParserCrashGuard.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/SourceMgr.h"

#include <string>

#define RESCALE_STRINGIFY2(x) #x
#define RESCALE_STRINGIFY(x) RESCALE_STRINGIFY2(x)

using namespace mlir;

static MLIRContext &fuzzContext() {
  static MLIRContext *context = [] {
    DialectRegistry registry;
    mlir::rescale::registerModuleCompilerDialects(registry);
    auto *c = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    c->printOpOnDiagnostic(false);
    return c;
  }();
  return *context;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext &context = fuzzContext();
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  // MLIR's lexer finds the end of its buffer by the NUL that
  // llvm::MemoryBuffer guarantees after it (Lexer::lexToken, `case 0`), and
  // the tools only parse such buffers (files, stdin). libFuzzer's input has
  // no terminator: without this copy a token at the very end (`#rescale`,
  // `rescale.dequaen`) runs on into the heap, which ASan reported as
  // heap-buffer-overflows that depended on the bytes after the input
  // (fuzz/findings/README.md). Parse what a tool would read.
  std::string terminated(reinterpret_cast<const char *>(data), size);
  llvm::StringRef text(terminated);
  // What crashes MLIR 22's parser is refused first, as the tools do.
  if (mlir::rescale::findParserCrash(text))
    return 0;
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, ParserConfig(&context));
  if (!module || failed(verify(*module)))
    return 0;
  mlir::rescale::CompileOptions options;
  options.target = RESCALE_STRINGIFY(RESCALE_FUZZ_TARGET);
  options.emit = options.target == "nvptx" ? mlir::rescale::EmitKind::PTX
                                           : mlir::rescale::EmitKind::MLIR;
  (void)mlir::rescale::compileModule(*module, options, "/dev/null");
  return 0;
}
