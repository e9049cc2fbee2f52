//===- Checkpoint.cpp - Checkpoints that survive kill -9 ------------------===//
#include "rescale/trainer/Checkpoint.h"

#include "rescale/trainer/Files.h"
#include "rescale/trainer/JsonUtil.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <unistd.h>

namespace rescale::trainer {

using runtime::Expected;
using runtime::JsonValue;
using runtime::SafetensorsFile;
using runtime::Status;

namespace {

const char *const kDataFiles[] = {"config.json", "model.safetensors",
                                  "optimizer.safetensors"};
const char kStateFile[] = "trainer_state.json";

} // namespace

static std::string stepName(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "step-%08lld", static_cast<long long>(step));
  return buf;
}

/// Where OUT/checkpoint points ("checkpoints/step-..."), or "" if no link.
static std::string linkTarget(const std::string &outDir) {
  std::string link = joinPath(outDir, "checkpoint");
  char buf[4096];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf) - 1);
  if (n <= 0)
    return "";
  return std::string(buf, static_cast<size_t>(n));
}

static Status errnoError(const std::string &what) {
  return Status::error(what + ": " + std::strerror(errno));
}

Status saveCheckpoint(const std::string &outDir, int64_t step,
                      const Checkpoint &checkpoint) {
  std::string root = joinPath(outDir, "checkpoints");
  RESCALE_RETURN_IF_ERROR(makeDirectories(root));
  std::string name = stepName(step);
  std::string tmp = joinPath(root, ".tmp-" + name);
  RESCALE_RETURN_IF_ERROR(removeTree(tmp));
  RESCALE_RETURN_IF_ERROR(makeDirectories(tmp));

  std::string files[3];
  files[0] = checkpoint.config.serialize() + "\n";
  for (int i = 1; i < 3; ++i) {
    Expected<std::string> bytes = runtime::serializeSafetensors(
        i == 1 ? checkpoint.model : checkpoint.optimizer);
    if (!bytes)
      return bytes.status().withContext("saving a checkpoint");
    files[i] = bytes.take();
  }
  JsonObject sums;
  for (int i = 0; i < 3; ++i) {
    RESCALE_RETURN_IF_ERROR(
        writeAndSync(joinPath(tmp, kDataFiles[i]), files[i]));
    sums.push_back(
        {kDataFiles[i],
         JsonValue::makeObject(
             {{"bytes", jsonInt(static_cast<int64_t>(files[i].size()))},
              {"fnv1a64", jsonString(fnv1a64Hex(files[i]))}})});
  }
  JsonObject state = checkpoint.state.getObject();
  state.push_back({"files", JsonValue::makeObject(std::move(sums))});
  RESCALE_RETURN_IF_ERROR(
      writeAndSync(joinPath(tmp, kStateFile),
                   JsonValue::makeObject(std::move(state)).serialize() + "\n"));
  RESCALE_RETURN_IF_ERROR(syncDirectory(tmp));

  std::string previous = linkTarget(outDir);
  std::string target = "checkpoints/" + name;
  std::string final = joinPath(root, name);
  if (previous == target)
    return Status::error("checkpoint of step " + std::to_string(step) +
                         " saved twice");
  RESCALE_RETURN_IF_ERROR(removeTree(final)); // a stale one of a killed run
  if (::rename(tmp.c_str(), final.c_str()) != 0)
    return errnoError("cannot rename '" + tmp + "' to '" + final + "'");
  RESCALE_RETURN_IF_ERROR(syncDirectory(root));

  std::string newLink = joinPath(outDir, ".checkpoint.tmp");
  std::string link = joinPath(outDir, "checkpoint");
  ::unlink(newLink.c_str());
  if (::symlink(target.c_str(), newLink.c_str()) != 0)
    return errnoError("cannot create link '" + newLink + "'");
  if (::rename(newLink.c_str(), link.c_str()) != 0)
    return errnoError("cannot rename '" + newLink + "' to '" + link + "'");
  RESCALE_RETURN_IF_ERROR(syncDirectory(outDir));
  if (!previous.empty())
    RESCALE_RETURN_IF_ERROR(removeTree(joinPath(outDir, previous)));
  return Status::ok();
}

bool runHasCheckpoint(const std::string &outDir) {
  return !linkTarget(outDir).empty();
}

Expected<std::string> resolveCheckpointDir(const std::string &path) {
  if (pathExists(joinPath(path, kStateFile)))
    return path;
  std::string link = joinPath(path, "checkpoint");
  if (!linkTarget(path).empty()) {
    if (!pathExists(joinPath(link, kStateFile)))
      return Status::error("checkpoint '" + link + "' names '" +
                           linkTarget(path) +
                           "', which holds no trainer_state.json");
    return link;
  }
  if (!pathExists(path))
    return Status::error("checkpoint '" + path + "' does not exist");
  return Status::error("'" + path + "' is not a checkpoint (no " +
                       std::string(kStateFile) +
                       ") nor a run folder (no 'checkpoint' link)");
}

Expected<Checkpoint> loadCheckpoint(const std::string &dir) {
  auto fail = [&](const std::string &why) {
    return Status::error("checkpoint '" + dir + "': " + why);
  };
  Expected<std::string> stateText = readWholeFile(joinPath(dir, kStateFile));
  if (!stateText)
    return fail(stateText.status().message());
  Expected<JsonValue> state = runtime::parseJson(*stateText);
  if (!state)
    return fail(std::string(kStateFile) + ": " + state.status().message());
  const JsonValue *files = state->isObject() ? state->get("files") : nullptr;
  if (!files || !files->isObject())
    return fail(std::string(kStateFile) + " lists no 'files'");

  Checkpoint c;
  for (int i = 0; i < 3; ++i) {
    std::string path = joinPath(dir, kDataFiles[i]);
    Expected<std::string> bytes = readWholeFile(path);
    if (!bytes)
      return fail(bytes.status().message());
    const JsonValue *entry = files->get(kDataFiles[i]);
    const JsonValue *size = entry ? entry->get("bytes") : nullptr;
    const JsonValue *sum = entry ? entry->get("fnv1a64") : nullptr;
    if (!size || !size->isInteger() || !sum || !sum->isString())
      return fail(std::string(kStateFile) + " has no size and checksum of " +
                  kDataFiles[i]);
    if (size->getInteger() != static_cast<int64_t>(bytes->size()))
      return fail(std::string(kDataFiles[i]) + " has " +
                  std::to_string(bytes->size()) + " bytes, " + kStateFile +
                  " says " + std::to_string(size->getInteger()) +
                  " (truncated or replaced?)");
    if (sum->getString() != fnv1a64Hex(*bytes))
      return fail(std::string(kDataFiles[i]) +
                  " does not match its checksum in " + kStateFile +
                  " (corrupted?)");
    const uint8_t *data = reinterpret_cast<const uint8_t *>(bytes->data());
    if (i == 0) {
      Expected<JsonValue> config = runtime::parseJson(*bytes);
      if (!config)
        return fail("config.json: " + config.status().message());
      c.config = config.take();
      continue;
    }
    Expected<SafetensorsFile> st =
        runtime::parseSafetensors(data, bytes->size());
    if (!st)
      return fail(std::string(kDataFiles[i]) + ": " + st.status().message());
    (i == 1 ? c.model : c.optimizer) = st.take();
  }
  JsonObject rest;
  for (const auto &kv : state->getObject())
    if (kv.first != "files")
      rest.push_back(kv);
  c.state = JsonValue::makeObject(std::move(rest));
  return c;
}

Status removeStaleCheckpoints(const std::string &outDir) {
  std::string root = joinPath(outDir, "checkpoints");
  std::string keep = linkTarget(outDir);
  ::unlink(joinPath(outDir, ".checkpoint.tmp").c_str());
  DIR *d = ::opendir(root.c_str());
  if (!d)
    return Status::ok();
  std::vector<std::string> stale;
  while (struct dirent *e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..")
      continue;
    if ("checkpoints/" + name != keep)
      stale.push_back(name);
  }
  ::closedir(d);
  for (const std::string &name : stale)
    RESCALE_RETURN_IF_ERROR(removeTree(joinPath(root, name)));
  return Status::ok();
}

} // namespace rescale::trainer
