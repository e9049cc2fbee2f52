//===- ModuleCompiler.cpp - MLIR file -> loadable module ------------------===//

#include "compiler/ModuleCompiler.h"
#include "compiler/CompileNVPTX.h"
#include "compiler/ParserCrashGuard.h"
#include "pipelines/Pipelines.h"
#include "target/TargetFeatures.h"
#include "transforms/Passes.h"

#include "dialect/RescaleDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "rescale/runtime/HostTensor.h"
#include "rescale/runtime/Sha256.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/SystemLibraries.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/Internalize.h"

#include <mutex>

using namespace mlir;
using namespace mlir::rescale;

std::optional<EmitKind> mlir::rescale::parseEmitKind(StringRef name) {
  return llvm::StringSwitch<std::optional<EmitKind>>(name)
      .Case("so", EmitKind::SharedObject)
      .Case("mlir", EmitKind::MLIR)
      .Case("llvm", EmitKind::LLVM)
      .Case("ptx", EmitKind::PTX)
      .Default(std::nullopt);
}

void mlir::rescale::registerModuleCompilerDialects(DialectRegistry &registry) {
  registry.insert<RescaleDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
}

//===----------------------------------------------------------------------===//
// Entry signatures
//===----------------------------------------------------------------------===//

/// The manifest spec of one entry argument or result, or a diagnostic on
/// `func` naming it ("input #1", "result #0").
static FailureOr<runtime::TensorSpec>
tensorSpecFor(func::FuncOp func, Type type, const Twine &what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return func.emitError() << "entry point @" << func.getSymName() << ": "
                            << what << " has type " << type
                            << "; entry points take and return only ranked "
                               "tensors";
  if (!tensor.hasStaticShape())
    return func.emitError() << "entry point @" << func.getSymName() << ": "
                            << what << " has dynamic shape " << type
                            << "; entry points need static shapes (the "
                               "caller allocates every tensor)";
  std::string name;
  llvm::raw_string_ostream os(name);
  tensor.getElementType().print(os);
  auto dtype = runtime::parseDType(name);
  if (!dtype)
    return func.emitError()
           << "entry point @" << func.getSymName() << ": " << what
           << " has element type " << tensor.getElementType()
           << ", which the runtime cannot pass";
  runtime::TensorSpec spec;
  spec.dtype = *dtype;
  spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  // The runtime's own limit, so that no module is written that it would
  // refuse to load.
  if (auto count = runtime::checkedNumElements(spec.shape); !count)
    return func.emitError()
           << "entry point @" << func.getSymName() << ": " << what
           << " of type " << type
           << " cannot be passed: " << count.status().message();
  return spec;
}

/// The C library a compiled module links against (libc, and libm for the math
/// without an LLVM intrinsic) defining `name`, if one does. A function of that
/// name in the module would stand in for the library's: the lowering's own
/// calls (malloc, free, expf, ...) would reach it, and when the module is
/// loaded its calls can bind to the library's instead (ELF interposition).
static std::optional<StringRef> cLibraryDefining(StringRef name) {
  static llvm::sys::DynamicLibrary libraries[] = {
      llvm::sys::DynamicLibrary::getLibrary("libc.so.6"),
      llvm::sys::DynamicLibrary::getLibrary("libm.so.6")};
  static const StringRef libraryNames[] = {"libc", "libm"};
  std::string symbol = name.str();
  for (auto [library, libraryName] : llvm::zip(libraries, libraryNames))
    if (library.isValid() && library.getAddressOfSymbol(symbol.c_str()))
      return libraryName;
  return std::nullopt;
}

FailureOr<std::vector<runtime::EntrySpec>>
mlir::rescale::collectEntries(ModuleOp module) {
  std::vector<runtime::EntrySpec> entries;
  bool failed = false;
  for (auto func : module.getOps<func::FuncOp>()) {
    // A called declaration would be an undefined symbol of the shared object:
    // nothing links against it, so the module could not be loaded.
    if (func.isExternal() && !SymbolTable::symbolKnownUseEmpty(func, module)) {
      func.emitError() << "@" << func.getSymName()
                       << " is called but only declared; a compiled module "
                          "must define every function it calls";
      failed = true;
      continue;
    }
    if (func.isExternal())
      continue;
    if (auto library = cLibraryDefining(func.getSymName())) {
      func.emitError() << "@" << func.getSymName() << " has the name of a "
                       << *library
                       << " function, which the compiled module links "
                          "against; rename the function";
      failed = true;
      continue;
    }
    if (!func.isPublic())
      continue;
    // The runtime finds the wrapper with dlsym, which takes a C string.
    if (func.getSymName().contains('\0')) {
      func.emitError() << "entry point name contains a NUL character, which "
                          "no ELF symbol can hold; rename the function";
      failed = true;
      continue;
    }
    // The packed wrappers' prefix: EmitEntryPoints gives such a function no
    // wrapper of its own, so the manifest would name a missing symbol.
    if (func.getSymName().starts_with(runtime::entrySymbolFor(""))) {
      func.emitError() << "entry point @" << func.getSymName()
                       << ": the prefix '" << runtime::entrySymbolFor("")
                       << "' is reserved for the packed entry points; rename "
                          "the function or make it private";
      failed = true;
      continue;
    }
    runtime::EntrySpec entry;
    entry.name = func.getSymName().str();
    entry.symbol = runtime::entrySymbolFor(entry.name);
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      auto spec = tensorSpecFor(func, type, "input #" + Twine(i));
      failed |= mlir::failed(spec);
      if (succeeded(spec))
        entry.inputs.push_back(*spec);
    }
    for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
      auto spec = tensorSpecFor(func, type, "result #" + Twine(i));
      failed |= mlir::failed(spec);
      if (succeeded(spec))
        entry.outputs.push_back(*spec);
    }
    entries.push_back(std::move(entry));
  }
  if (failed)
    return failure();
  if (entries.empty())
    return module.emitError()
           << "the module has no public function with a body: nothing to "
              "compile (every public func.func is an entry point)";
  return entries;
}

/// Constants larger than this cannot be embedded in the shared object: with
/// the default code model, static data is addressed PC-relative within
/// +-2 GiB (and LLVM would first materialize a splat element by element).
static constexpr uint64_t kMaxEmbeddedConstantBytes = uint64_t(1) << 31;

/// Whether a static `shape` has more than `limit` elements (computed
/// without overflow: a shape may hold more than 2^64).
static bool hasMoreElementsThan(ArrayRef<int64_t> shape, uint64_t limit) {
  if (llvm::is_contained(shape, 0))
    return false;
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (count > limit / uint64_t(dim))
      return true;
    count *= uint64_t(dim);
  }
  return count > limit;
}

/// The bytes one element of type `et` (int, index or float) takes in a
/// compiled module. index has no bit width of its own (a tosa.const_shape or
/// a tensor.reshape shape holds index elements): it lowers to the host's
/// 64-bit integer. Sub-byte types take a byte per element.
static uint64_t embeddedElementBytes(Type et) {
  if (et.isIndex())
    return 8;
  return std::max<uint64_t>(1, et.getIntOrFloatBitWidth() / 8);
}

LogicalResult mlir::rescale::checkEmbeddedConstants(ModuleOp module) {
  bool failed = false;
  module.walk([&](Operation *op) {
    for (NamedAttribute attr : op->getAttrs()) {
      auto elements = dyn_cast<ElementsAttr>(attr.getValue());
      if (!elements)
        continue;
      auto type = dyn_cast<ShapedType>(elements.getType());
      if (!type || !type.hasStaticShape() ||
          !type.getElementType().isIntOrIndexOrFloat())
        continue;
      uint64_t elementBytes = embeddedElementBytes(type.getElementType());
      if (!hasMoreElementsThan(type.getShape(),
                               kMaxEmbeddedConstantBytes / elementBytes))
        continue;
      op->emitError() << "constant of type " << type
                      << " is too large to embed in a compiled module (the "
                         "limit is 2 GiB); pass it as an entry input instead";
      failed = true;
    }
  });
  return mlir::failure(failed);
}

/// The most MLIR read from a stream (stdin, a FIFO, a device), which has no
/// size to check before reading.
static constexpr uint64_t kMaxStreamedSourceBytes = uint64_t(2) << 30;

/// `inputPath` ("-" = stdin) as a buffer, or "" in `ioError`. A regular file
/// is mapped whole; a stream is read in pieces, and refused at the first NUL
/// byte of text (MLIR text has none: /dev/zero is not read without end) or
/// past kMaxStreamedSourceBytes. Bytecode (magic "ML\xefR") may hold NULs.
static std::unique_ptr<llvm::MemoryBuffer> readSource(StringRef inputPath,
                                                      std::string &ioError) {
  bool isStdin = inputPath == "-";
  llvm::sys::fs::file_status status;
  if (!isStdin && !llvm::sys::fs::status(inputPath, status) &&
      status.type() == llvm::sys::fs::file_type::regular_file)
    return openInputFile(inputPath, &ioError);
  llvm::sys::fs::file_t file = llvm::sys::fs::getStdinHandle();
  if (!isStdin) {
    auto opened = llvm::sys::fs::openNativeFileForRead(inputPath);
    if (!opened) {
      ioError = "cannot open input file '" + inputPath.str() +
                "': " + llvm::toString(opened.takeError());
      return nullptr;
    }
    file = *opened;
  }
  llvm::scope_exit close([&] {
    if (!isStdin)
      llvm::sys::fs::closeFile(file);
  });
  std::string text;
  char buffer[1 << 16];
  while (true) {
    llvm::Expected<size_t> got = llvm::sys::fs::readNativeFile(
        file, llvm::MutableArrayRef<char>(buffer, sizeof(buffer)));
    if (!got) {
      ioError = "cannot read '" + inputPath.str() +
                "': " + llvm::toString(got.takeError());
      return nullptr;
    }
    if (*got == 0)
      break;
    size_t start = text.size();
    text.append(buffer, *got);
    bool bytecode = StringRef(text).starts_with("ML\xefR");
    // Until the magic can be told, the first bytes are searched again.
    size_t nul = StringRef(text).find('\0', start < 4 ? 0 : start);
    if (!bytecode && text.size() >= 4 && nul != StringRef::npos) {
      ioError = "'" + inputPath.str() + "' is not MLIR: a NUL byte at offset " +
                std::to_string(nul);
      return nullptr;
    }
    if (text.size() > kMaxStreamedSourceBytes) {
      ioError = "cannot read '" + inputPath.str() + "': more than " +
                std::to_string(kMaxStreamedSourceBytes >> 30) +
                " GiB from a stream";
      return nullptr;
    }
  }
  return llvm::MemoryBuffer::getMemBufferCopy(text, inputPath);
}

OwningOpRef<ModuleOp> mlir::rescale::parseSourceFile(StringRef inputPath,
                                                     MLIRContext &context,
                                                     std::string &ioError) {
  auto file = readSource(inputPath, ioError);
  if (!file)
    return nullptr;
  if (std::optional<ParserCrash> crash = findParserCrash(file->getBuffer())) {
    ioError = inputPath.str() + ":" + std::to_string(crash->line) + ":" +
              std::to_string(crash->column) + ": " + crash->message;
    return nullptr;
  }
  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return mlir::parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
}

//===----------------------------------------------------------------------===//
// Targets
//===----------------------------------------------------------------------===//

ArrayRef<TargetBackend> mlir::rescale::getTargetBackends() {
  // A target is one row. nvptx: compiler/CompileNVPTX.cpp (issue 5).
  static const TargetBackend backends[] = {
      {"cpu", "the host CPU: native shared object", compileForCPU},
      {"nvptx", "NVIDIA GPUs: kernels embedded in a host shared object",
       compileForNVPTX},
  };
  return backends;
}

const TargetBackend *mlir::rescale::lookupTargetBackend(StringRef name) {
  for (const TargetBackend &backend : getTargetBackends())
    if (backend.name == name)
      return &backend;
  return nullptr;
}

LogicalResult mlir::rescale::compileModule(ModuleOp module,
                                           const CompileOptions &options,
                                           StringRef outputPath) {
  const TargetBackend *backend = lookupTargetBackend(options.target);
  if (!backend) {
    SmallVector<StringRef> names;
    for (const TargetBackend &b : getTargetBackends())
      names.push_back(b.name);
    return emitError(module.getLoc())
           << "unknown target '" << options.target
           << "' (known: " << llvm::join(names, ", ") << ")";
  }
  if (!backend->compile)
    return emitError(module.getLoc()) << "target '" << options.target
                                      << "' is not supported by this build yet";

  // A module is a shared object plus the manifest written beside it (and
  // loaded by path): neither goes to stdout, and "-" would be taken as a file
  // name (files named '-' and '-.manifest.json').
  if (options.emit == EmitKind::SharedObject && outputPath == "-")
    return emitError(module.getLoc())
           << "-o -: a compiled module is a shared object with its manifest "
              "beside it, which cannot go to stdout; give a file path such as "
              "-o model.so (--emit=mlir, llvm or ptx can write to -)";
  auto entries = collectEntries(module);
  if (failed(entries) || failed(checkEmbeddedConstants(module)))
    return failure();
  runtime::Manifest manifest;
  manifest.entries = std::move(*entries);
  // Probe results must be read before lowering drops result attributes.
  std::vector<runtime::EntryProbes> probes = collectProbes(module);
  // `rescale.no_grad` (docs/autodiff.md) only means something to
  // --rescale-autodiff; the LLVM translation would warn about it.
  for (auto func : module.getOps<func::FuncOp>())
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      func.removeArgAttr(i, "rescale.no_grad");
  if (failed(backend->compile(module, options, manifest, outputPath)))
    return failure();
  return addProbes(module.getLoc(), options, probes, outputPath);
}

//===----------------------------------------------------------------------===//
// Probes (instrumentation results, runtime/include/rescale/runtime/Probes.h)
//===----------------------------------------------------------------------===//

std::vector<runtime::EntryProbes>
mlir::rescale::collectProbes(ModuleOp module) {
  std::vector<runtime::EntryProbes> all;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    runtime::EntryProbes entry{func.getSymName().str(), {}};
    for (unsigned i = 0, e = func.getNumResults(); i < e; ++i) {
      auto probe = func.getResultAttrOfType<DictionaryAttr>(i, "rescale.probe");
      if (!probe)
        continue;
      // One manifest entry per name: `name = "…"` or `names = ["…", …]`.
      auto kind = probe.getAs<StringAttr>("kind");
      SmallVector<StringRef> names;
      if (auto name = probe.getAs<StringAttr>("name"))
        names.push_back(name.getValue());
      if (auto list = probe.getAs<ArrayAttr>("names"))
        for (auto name : list.getAsRange<StringAttr>())
          names.push_back(name.getValue());
      for (StringRef name : names)
        entry.probes.push_back({i, kind ? kind.str() : "", name.str()});
      // Read, then dropped: the LLVM translation knows no such attribute.
      func.removeResultAttr(
          i, StringAttr::get(module.getContext(), "rescale.probe"));
    }
    if (!entry.probes.empty())
      all.push_back(std::move(entry));
  }
  return all;
}

LogicalResult
mlir::rescale::addProbes(Location loc, const CompileOptions &options,
                         const std::vector<runtime::EntryProbes> &probes,
                         StringRef outputPath) {
  if (probes.empty() || options.emit != EmitKind::SharedObject)
    return success();
  std::string path = runtime::manifestPathFor(outputPath.str());
  runtime::Status status = runtime::addProbesToManifest(path, probes);
  if (!status)
    return emitError(loc) << status.message();
  return success();
}

//===----------------------------------------------------------------------===//
// The CPU backend
//===----------------------------------------------------------------------===//

/// Runs `pm` on `module`; if it fails without having said why (a pass that
/// signals failure silently), says so, so that a failure is never mute.
static LogicalResult runPipeline(PassManager &pm, ModuleOp module,
                                 StringRef what) {
  bool reported = false;
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &diag) {
    reported |= diag.getSeverity() == DiagnosticSeverity::Error;
    return failure(); // pass it on to the tool's handler
  });
  if (succeeded(pm.run(module)))
    return success();
  if (!reported)
    emitError(module.getLoc()) << what << " failed";
  return failure();
}

/// After a pipeline that should end in the LLVM dialect: report every op it
/// left behind (partial conversions leave what they cannot lower in place),
/// at the op's location, rather than failing later in translation.
static LogicalResult checkFullyLoweredToLLVM(ModuleOp module,
                                             StringRef pipeline) {
  bool leftovers = false;
  // Casts are left only around another leftover op: report those first.
  for (bool casts : {false, true}) {
    module.walk([&](Operation *op) {
      // The OpenMP dialect (the parallel row tiles) translates to LLVM IR
      // as it is, like the LLVM dialect.
      if (op == module.getOperation() ||
          isa<LLVM::LLVMDialect, omp::OpenMPDialect>(op->getDialect()))
        return;
      if (isa<UnrealizedConversionCastOp>(op) != casts)
        return;
      leftovers = true;
      op->emitError() << pipeline << " cannot lower '" << op->getName()
                      << "' to the LLVM dialect";
    });
    if (leftovers)
      return failure();
  }
  return success();
}

LogicalResult mlir::rescale::compileForCPU(ModuleOp module,
                                           const CompileOptions &options,
                                           runtime::Manifest &manifest,
                                           StringRef outputPath) {
  Location loc = module.getLoc();
  manifest.target = "cpu";
  manifest.chip = std::nullopt;
  if (options.emit == EmitKind::PTX)
    return emitError(loc) << "--emit=ptx needs --target=nvptx";

  PassManager pm(module.getContext());
  if (options.configurePassManager && failed(options.configurePassManager(pm)))
    return failure();
  LowerToCPUOptions cpuOptions;
  cpuOptions.blas = options.blas;
  cpuOptions.openmp = options.openmp;
  buildLowerToCPUPipeline(pm, cpuOptions);
  if (failed(runPipeline(pm, module, "--rescale-lower-to-cpu")) ||
      failed(checkFullyLoweredToLLVM(module, "--rescale-lower-to-cpu")))
    return failure();
  if (options.emit == EmitKind::MLIR)
    return writeTextOutput(loc, outputPath,
                           [&](raw_ostream &os) { module.print(os); });

  // Math ops without an LLVM intrinsic lower to libm calls (erff, ...);
  // f32 matrix products to OpenBLAS (rescale-contractions-to-blas).
  SmallVector<std::string> libraries = {"-lm"};
  if (module.lookupSymbol(kBlasSgemmSymbol))
    libraries.push_back("-lopenblas");
  if (failed(emitHostSharedObject(module, loc, options.chip, options.features,
                                  options.optLevel, options.emit,
                                  "rescale-module", libraries, outputPath)))
    return failure();
  if (options.emit == EmitKind::LLVM)
    return success();
  return writeManifest(loc, manifest, outputPath);
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

LogicalResult mlir::rescale::emitHostSharedObject(
    ModuleOp module, Location loc, StringRef cpu, StringRef features,
    unsigned optLevel, EmitKind emit, StringRef tempPrefix,
    ArrayRef<std::string> linkArgs, StringRef outputPath) {
  auto tm = createHostTargetMachine(loc, cpu, features, optLevel);
  if (failed(tm))
    return failure();
  llvm::LLVMContext llvmContext;
  auto llvmModule = translateAndOptimize(module, llvmContext, **tm, optLevel);
  if (failed(llvmModule))
    return failure();
  if (emit == EmitKind::LLVM)
    return writeTextOutput(loc, outputPath, [&](raw_ostream &os) {
      (*llvmModule)->print(os, nullptr);
    });
  SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile(tempPrefix, "o", object))
    return emitError(loc) << "cannot create a temporary object file: "
                          << ec.message();
  llvm::FileRemover removeObject(object);
  if (failed(emitObjectFile(loc, **llvmModule, **tm, object)))
    return failure();
  // The linker's own additions (libgcc helpers, _init/_fini) are made local
  // too: the module's dynamic symbols are its ABI and nothing else.
  SmallString<128> exportsMap;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile(tempPrefix, "map", exportsMap))
    return emitError(loc) << "cannot create a temporary file: " << ec.message();
  llvm::FileRemover removeExportsMap(exportsMap);
  if (failed(writeTextOutput(loc, exportsMap, [](raw_ostream &os) {
        os << "{\n  global:\n";
        for (StringRef prefix : moduleExportPrefixes())
          os << "    " << prefix << "*;\n";
        os << "  local: *;\n};\n";
      })))
    return failure();
  SmallVector<std::string> args(linkArgs.begin(), linkArgs.end());
  auto callsFunctionsNamed = [&](StringRef prefix) {
    return llvm::any_of(
        (*llvmModule)->functions(), [&](const llvm::Function &f) {
          return f.isDeclaration() && f.getName().starts_with(prefix);
        });
  };
  // Calls the loop vectorizer made into glibc's vector math (optimizeModule).
  if (callsFunctionsNamed("_ZGV"))
    args.push_back("-lmvec");
  // Parallel loops (the row tiles, convert-scf-to-openmp) call LLVM's OpenMP
  // runtime. It lives in LLVM's library directory, which is not on the
  // loader's path, hence the RUNPATH.
  // Split products (rescale-contractions-to-blas{split-rows}) also ask it for
  // the thread count (omp_get_max_threads).
  if (callsFunctionsNamed("__kmpc_") || callsFunctionsNamed("omp_")) {
    args.push_back("-L" RESCALE_LIBOMP_DIR);
    args.push_back("-Wl,-rpath," RESCALE_LIBOMP_DIR);
    args.push_back("-lomp");
  }
  args.push_back(("-Wl,--version-script=" + exportsMap).str());
  return linkSharedObject(loc, {std::string(object)}, args, outputPath);
}

ArrayRef<StringRef> mlir::rescale::moduleExportPrefixes() {
  // The packed entry points the runtime looks up (EmitEntryPoints), and the
  // C-interface wrappers MLIR emits for functions marked
  // llvm.emit_c_interface, for C callers.
  static const std::string entryPrefix = runtime::entrySymbolFor("");
  static const StringRef prefixes[] = {entryPrefix, "_mlir_ciface_"};
  return prefixes;
}

/// A CPU and features LLVM knows can still describe a machine the module
/// cannot be built for or called on. X86's CPU table holds the 32-bit CPUs
/// (i686, pentium4, ...), and with one of them an x86-64 TargetMachine
/// aborts in code generation; soft-float or no SSE2 changes how floats are
/// passed, so the runtime's calls would read garbage (or the module does not
/// load). Each is one clear error instead.
static LogicalResult checkHostABI(Location loc, const llvm::Target &target,
                                  const llvm::Triple &triple, StringRef cpu,
                                  StringRef features) {
  if (triple.getArch() != llvm::Triple::x86_64)
    return success();
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target.createMCSubtargetInfo(triple, cpu, features));
  if (!subtarget)
    return emitError(loc) << "cannot describe CPU '" << cpu << "' for "
                          << triple.str();
  if (!subtarget->checkFeatures("+64bit"))
    return emitError(loc) << "--chip: '" << cpu
                          << "' is a 32-bit x86 CPU, but modules are built "
                             "for "
                          << triple.str()
                          << " (use x86-64, x86-64-v2/v3/v4, native or a "
                             "64-bit CPU name)";
  if (!subtarget->checkFeatures("-soft-float"))
    return emitError(loc)
           << "--features: soft-float passes floats in integer registers, "
              "but the runtime calls modules with the x86-64 ABI (floats in "
              "SSE registers)";
  if (!subtarget->checkFeatures("+sse2"))
    return emitError(loc) << "--features: x86-64 modules need SSE2 (the ABI "
                             "passes floats in SSE registers), but '"
                          << features << "' disables it";
  return success();
}

FailureOr<std::unique_ptr<llvm::TargetMachine>>
mlir::rescale::createHostTargetMachine(Location loc, StringRef cpu,
                                       StringRef features, unsigned optLevel) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });

  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return emitError(loc) << "no LLVM target for the host triple "
                          << triple.str() << ": " << error;

  // The default CPU is portable rather than this exact host, so that a module
  // built here loads on another x86-64 server (the GPU machine); fall back to
  // baseline x86-64 on hosts older than AVX2.
  std::string cpuName = cpu.str();
  std::string featureString = features.str();
  if (cpuName == "native") {
    cpuName = llvm::sys::getHostCPUName().str();
    SmallVector<std::string> hostFeatures;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      hostFeatures.push_back((feature.second ? "+" : "-") +
                             feature.first().str());
    if (!featureString.empty())
      hostFeatures.push_back(featureString);
    featureString = llvm::join(hostFeatures, ",");
  } else if (cpuName.empty()) {
    cpuName = "generic";
    if (triple.getArch() == llvm::Triple::x86_64)
      cpuName = llvm::sys::getHostCPUFeatures().lookup("avx2") ? "x86-64-v3"
                                                               : "x86-64";
  }

  llvm::TargetOptions targetOptions;
  // No contraction of a*b+c into FMA: the CPU path is the numerics reference
  // and must round every operation as written.
  targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Standard;
  llvm::CodeGenOptLevel level = optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2
                                    ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  // Check the name first: LLVM only warns about an unknown CPU.
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target->createMCSubtargetInfo(triple, "", ""));
  if (subtarget && !subtarget->isCPUStringValid(cpuName))
    return emitError(loc) << "unknown CPU '" << cpuName << "' for "
                          << triple.str();
  // The user's features too: LLVM warns about an unknown one (three times)
  // and compiles without it.
  BadFeature bad;
  if (failed(parseFeatureNames(features, subtarget.get(), bad))) {
    if (bad.malformed)
      return emitError(loc) << "--features: '" << bad.item
                            << "' is not +name or -name (e.g. +avx512f)";
    return emitError(loc) << "--features: unknown feature '" << bad.item
                          << "' for " << triple.str();
  }
  if (failed(checkHostABI(loc, *target, triple, cpuName, featureString)))
    return failure();
  std::unique_ptr<llvm::TargetMachine> tm(
      target->createTargetMachine(triple, cpuName, featureString, targetOptions,
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm)
    return emitError(loc) << "cannot create an LLVM target machine for "
                          << triple.str() << " (cpu '" << cpuName << "')";
  return tm;
}

/// LLVM's default pipeline at `optLevel` (as MLIR's makeOptimizingTransformer
/// builds it), with one addition: on x86-64 the loop vectorizer may call
/// glibc's vector math library (libmvec: _ZGVdN8v_expf, ...) for math in a
/// loop. Without it every exp of a softmax, a sigmoid gate or a SiLU is a
/// scalar libm call, which dominated GatedNorm and attention on the CPU
/// (issue 13). libmvec's functions are within 4 ulp, as libm's are within 1
/// to 2; the module links -lmvec when it calls one (hostLinkLibraries).
static void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                           unsigned optLevel) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = optLevel > 0;
  tuning.LoopInterleaving = optLevel > 0;
  tuning.LoopVectorization = optLevel > 1;
  tuning.SLPVectorization = optLevel > 1;
  llvm::PassBuilder builder(&tm, tuning);
  llvm::TargetLibraryInfoImpl libraryInfo(tm.getTargetTriple());
  if (tm.getTargetTriple().getArch() == llvm::Triple::x86_64)
    libraryInfo.addVectorizableFunctionsFromVecLib(llvm::VectorLibrary::LIBMVEC,
                                                   tm.getTargetTriple());
  functions.registerPass(
      [&] { return llvm::TargetLibraryAnalysis(libraryInfo); });
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager pipeline =
      optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                    : builder.buildPerModuleDefaultPipeline(level);
  pipeline.run(module, modules);
}

FailureOr<std::unique_ptr<llvm::Module>> mlir::rescale::translateAndOptimize(
    ModuleOp module, llvm::LLVMContext &llvmContext, llvm::TargetMachine &tm,
    unsigned optLevel) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return emitError(module.getLoc()) << "translation to LLVM IR failed";
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  // Only the module's ABI stays external; every other function (the raw
  // entry functions among them: an entry called `decoder_block` or `memcpy`
  // would otherwise be a global symbol of every process that loads the
  // module) becomes internal before optimization, which may then inline and
  // drop it.
  llvm::internalizeModule(*llvmModule, [](const llvm::GlobalValue &value) {
    return llvm::any_of(moduleExportPrefixes(), [&](StringRef prefix) {
      return value.getName().starts_with(prefix);
    });
  });
  optimizeModule(*llvmModule, tm, optLevel);
  return llvmModule;
}

LogicalResult mlir::rescale::emitObjectFile(Location loc,
                                            llvm::Module &llvmModule,
                                            llvm::TargetMachine &tm,
                                            StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return emitError(loc) << "cannot write '" << path << "': " << ec.message();
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, os, nullptr,
                             llvm::CodeGenFileType::ObjectFile))
    return emitError(loc) << "the LLVM target cannot emit object files";
  codegen.run(llvmModule);
  os.flush();
  if (os.has_error())
    return emitError(loc) << "cannot write '" << path
                          << "': " << os.error().message();
  return success();
}

/// The C compiler driver used to link: $RESCALE_CC, else cc, gcc, clang.
static FailureOr<std::string> findLinkerDriver(Location loc) {
  SmallVector<std::string> candidates;
  if (auto fromEnv = llvm::sys::Process::GetEnv("RESCALE_CC"))
    candidates.push_back(*fromEnv);
  candidates.append({"cc", "gcc", "clang"});
  for (const std::string &name : candidates)
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  return emitError(loc) << "cannot link a shared object: none of "
                        << llvm::join(candidates, ", ")
                        << " found on PATH (set RESCALE_CC to a C compiler "
                           "driver)";
}

LogicalResult mlir::rescale::linkSharedObject(Location loc,
                                              ArrayRef<std::string> objects,
                                              ArrayRef<std::string> extraArgs,
                                              StringRef outputPath) {
  auto driver = findLinkerDriver(loc);
  if (failed(driver))
    return failure();
  SmallString<128> log;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("rescale-link", "log", log))
    return emitError(loc) << "cannot create a temporary file: " << ec.message();
  llvm::FileRemover removeLog(log);

  SmallVector<StringRef> args = {*driver, "-shared", "-o", outputPath};
  for (const std::string &object : objects)
    args.push_back(object);
  for (const std::string &arg : extraArgs)
    args.push_back(arg);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string error;
  int rc =
      llvm::sys::ExecuteAndWait(*driver, args, std::nullopt, redirects,
                                /*SecondsToWait=*/0, /*MemoryLimit=*/0, &error);
  if (rc == 0)
    return success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(log))
    output = StringRef((*buffer)->getBuffer()).trim().str();
  InFlightDiagnostic diag = emitError(loc) << "linking '" << outputPath
                                           << "' with " << *driver << " failed";
  if (!error.empty())
    diag << ": " << error;
  if (!output.empty())
    diag << ": " << output;
  return diag;
}

LogicalResult mlir::rescale::writeManifest(Location loc,
                                           const runtime::Manifest &manifest,
                                           StringRef modulePath) {
  // The manifest names the module file it describes (its SHA-256), so that
  // the runtime refuses to run another module with these shapes.
  runtime::Expected<std::string> digest = runtime::fileSha256(modulePath.str());
  if (!digest)
    return emitError(loc) << digest.status().message();
  runtime::Manifest sealed = manifest;
  sealed.moduleSha256 = *digest;
  std::string path = runtime::manifestPathFor(modulePath.str());
  return writeTextOutput(loc, path, [&](raw_ostream &os) {
    os << runtime::serializeManifest(sealed);
  });
}

LogicalResult
mlir::rescale::writeTextOutput(Location loc, StringRef path,
                               function_ref<void(raw_ostream &)> print) {
  std::string error;
  auto output = openOutputFile(path, &error);
  if (!output)
    return emitError(loc) << "cannot write '" << path << "': " << error;
  print(output->os());
  output->keep();
  return success();
}
