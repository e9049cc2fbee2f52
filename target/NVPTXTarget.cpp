//===- NVPTXTarget.cpp - which NVPTX chips and features we compile for ----===//

#include "target/NVPTXTarget.h"
#include "target/TargetFeatures.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>

using namespace mlir;

// From libLLVM: the NVPTX target's registry entries (the backend itself is
// initialized by MLIR's NVVM target when it serializes).
extern "C" void LLVMInitializeNVPTXTargetInfo();
extern "C" void LLVMInitializeNVPTXTargetMC();

namespace {

/// The oldest SM the backend targets: CUDA 13's ptxas assembles nothing
/// older, and older chips lack what the kernels are built from (LLVM cannot
/// select the warp-synchronous shuffles below sm_70's PTX).
constexpr unsigned kOldestSM = 75;

/// The PTX ISA version (10 * major + minor) LLVM 22's NVPTX backend requires
/// at least, and picks by default, for each chip from sm_75 on (read off
/// `llc -mcpu=<chip>`; target-check.test compares them with LLVM's choice).
/// LLVM aborts when asked for less, so a `+ptxNN` feature is checked here.
struct ChipPTX {
  llvm::StringLiteral chip;
  unsigned ptx;
};
constexpr ChipPTX kMinimumPTX[] = {
    {"sm_75", 63},   {"sm_80", 70},   {"sm_86", 71},   {"sm_87", 74},
    {"sm_88", 90},   {"sm_89", 78},   {"sm_90", 78},   {"sm_90a", 80},
    {"sm_100", 86},  {"sm_100a", 86}, {"sm_100f", 88}, {"sm_101", 86},
    {"sm_101a", 86}, {"sm_101f", 88}, {"sm_103", 88},  {"sm_103a", 88},
    {"sm_103f", 88}, {"sm_110", 90},  {"sm_110a", 90}, {"sm_110f", 90},
    {"sm_120", 87},  {"sm_120a", 87}, {"sm_120f", 88}, {"sm_121", 88},
    {"sm_121a", 88}, {"sm_121f", 88},
};

} // namespace

/// The minimum PTX version of `chip`, 0 where the table has none.
static unsigned minimumPTX(llvm::StringRef chip) {
  for (const ChipPTX &entry : kMinimumPTX)
    if (entry.chip == chip)
      return entry.ptx;
  return 0;
}

static std::string ptxString(unsigned version) {
  return std::to_string(version / 10) + "." + std::to_string(version % 10);
}

/// LLVM's NVPTX subtarget tables (processors, features); null when this LLVM
/// was built without the NVPTX target.
static const llvm::MCSubtargetInfo *nvptxSubtargetInfo() {
  static const std::unique_ptr<llvm::MCSubtargetInfo> info = [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTargetMC();
    llvm::Triple triple("nvptx64-nvidia-cuda");
    std::string error;
    const llvm::Target *target =
        llvm::TargetRegistry::lookupTarget(triple, error);
    return std::unique_ptr<llvm::MCSubtargetInfo>(
        target ? target->createMCSubtargetInfo(triple, "sm_75", "") : nullptr);
  }();
  return info.get();
}

/// The SM number of `chip` (90 for sm_90a), 0 if it has none.
static unsigned smNumber(llvm::StringRef chip) {
  unsigned sm = 0;
  if (!chip.consume_front("sm_"))
    return 0;
  chip = chip.take_while(llvm::isDigit);
  return chip.getAsInteger(10, sm) ? 0 : sm;
}

std::string mlir::rescale::checkNVPTXTarget(llvm::StringRef chip,
                                            llvm::StringRef features) {
  const llvm::MCSubtargetInfo *info = nvptxSubtargetInfo();
  if (!info)
    return "this LLVM has no NVPTX target";
  if (!info->isCPUStringValid(chip) || smNumber(chip) == 0) {
    llvm::SmallVector<llvm::StringRef> chips;
    for (const llvm::SubtargetSubTypeKV &cpu :
         info->getAllProcessorDescriptions())
      if (smNumber(cpu.Key) >= kOldestSM)
        chips.push_back(cpu.Key);
    llvm::sort(chips, [](llvm::StringRef a, llvm::StringRef b) {
      return std::make_pair(smNumber(a), a) < std::make_pair(smNumber(b), b);
    });
    return "unknown NVPTX chip '" + chip.str() +
           "' (known: " + llvm::join(chips, " ") + ")";
  }
  if (smNumber(chip) < kOldestSM)
    return "chip '" + chip.str() + "' is older than sm_" +
           std::to_string(kOldestSM) + ", the oldest the NVPTX backend targets";
  BadFeature bad;
  FailureOr<SmallVector<StringRef>> names =
      parseFeatureNames(features, info, bad);
  if (failed(names))
    return bad.malformed
               ? "features: '" + bad.item.str() +
                     "' is not +name or -name (e.g. +ptx80)"
               : "features: unknown NVPTX feature '" + bad.item.str() +
                     "' (PTX versions are +ptxNN, e.g. +ptx80)";
  for (StringRef name : *names) {
    unsigned version = 0, needed = minimumPTX(chip);
    if (name.consume_front("ptx") && !name.getAsInteger(10, version) &&
        version < needed)
      return "features: PTX " + ptxString(version) + " is below the PTX " +
             ptxString(needed) + " that " + chip.str() + " needs";
  }
  return "";
}

std::string mlir::rescale::nvptxFeaturesFor(llvm::StringRef chip,
                                            llvm::StringRef features) {
  if (!features.empty())
    return features.str();
  // Spelled out so the IR says which PTX it is for (LLVM would pick the same).
  if (unsigned ptx = minimumPTX(chip))
    return "+ptx" + std::to_string(ptx);
  return "";
}
