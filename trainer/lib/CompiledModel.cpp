//===- CompiledModel.cpp - A compiled training module and its state -------===//
#include "rescale/trainer/CompiledModel.h"

#include "rescale/trainer/Files.h"

#include <cmath>
#include <cstring>

namespace rescale::trainer {

using runtime::DType;
using runtime::Expected;
using runtime::HostTensor;
using runtime::JsonValue;
using runtime::Status;
using runtime::TensorSpec;

//===----------------------------------------------------------------------===//
// model.json
//===----------------------------------------------------------------------===//

static Status parseInit(const JsonValue &v, ParameterInit &init) {
  const JsonValue *kind = v.isObject() ? v.get("kind") : nullptr;
  if (!kind || !kind->isString())
    return Status::error("'init' must be an object with a string 'kind'");
  init.kind = kind->getString();
  if (init.kind == "normal") {
    const JsonValue *std = v.get("std");
    if (!std || !std->isNumber() || std->getNumber() < 0)
      return Status::error("normal init needs a non-negative 'std'");
    init.std = std->getNumber();
  } else if (init.kind == "constant") {
    const JsonValue *value = v.get("value");
    if (!value || !value->isNumber())
      return Status::error("constant init needs a numeric 'value'");
    init.value = value->getNumber();
  } else if (init.kind == "uniform" || init.kind == "log_uniform") {
    const JsonValue *low = v.get("low"), *high = v.get("high");
    if (!low || !high || !low->isNumber() || !high->isNumber() ||
        !(low->getNumber() < high->getNumber()) ||
        (init.kind == "log_uniform" && !(low->getNumber() > 0)))
      return Status::error(init.kind + " init needs numbers 'low' < 'high'" +
                           (init.kind == "log_uniform" ? " with low > 0" : ""));
    init.low = low->getNumber();
    init.high = high->getNumber();
  } else if (init.kind != "ones" && init.kind != "zeros") {
    return Status::error("unknown init kind '" + init.kind +
                         "' (expected normal, ones, zeros, constant, uniform "
                         "or log_uniform)");
  }
  return Status::ok();
}

static Expected<ModelDescription> parseModelDescription(const JsonValue &json) {
  if (!json.isObject())
    return Status::error("expected a JSON object");
  const JsonValue *format = json.get("format");
  if (!format || !format->isString() ||
      format->getString() != "rescale-train-model")
    return Status::error("'format' must be \"rescale-train-model\"");
  const JsonValue *version = json.get("version");
  if (!version || !version->isInteger() || version->getInteger() != 1)
    return Status::error("unsupported 'version' (this trainer reads 1)");
  ModelDescription d;
  const JsonValue *config = json.get("config");
  if (!config)
    return Status::error("missing 'config'");
  Expected<ModelConfig> c = parseModelConfig(*config);
  if (!c)
    return c.status().withContext("'config'");
  d.config = c.take();
  const std::pair<const char *, int64_t *> sizes[] = {{"batch", &d.batch},
                                                      {"seq", &d.seq}};
  for (auto [key, out] : sizes) {
    const JsonValue *v = json.get(key);
    if (!v || !v->isInteger() || v->getInteger() <= 0)
      return Status::error(std::string("'") + key +
                           "' must be a positive integer");
    *out = v->getInteger();
  }
  const JsonValue *target = json.get("target");
  if (!target || !target->isString() ||
      (target->getString() != "cpu" && target->getString() != "cuda"))
    return Status::error("'target' must be \"cpu\" or \"cuda\"");
  d.target = target->getString();
  const JsonValue *params = json.get("parameters");
  if (!params || !params->isArray() || params->getArray().empty())
    return Status::error("'parameters' must be a non-empty list");
  for (size_t i = 0; i < params->getArray().size(); ++i) {
    const JsonValue &p = params->getArray()[i];
    std::string where = "parameters[" + std::to_string(i) + "]";
    ParameterSpec spec;
    const JsonValue *name = p.isObject() ? p.get("name") : nullptr;
    if (!name || !name->isString() || name->getString().empty())
      return Status::error(where + ": missing 'name'");
    spec.name = name->getString();
    where += " '" + spec.name + "'";
    for (const ParameterSpec &other : d.parameters)
      if (other.name == spec.name)
        return Status::error(where + ": duplicate name");
    const JsonValue *shape = p.get("shape");
    if (!shape || !shape->isArray())
      return Status::error(where + ": missing 'shape'");
    for (const JsonValue &dim : shape->getArray()) {
      if (!dim.isInteger() || dim.getInteger() <= 0)
        return Status::error(where + ": 'shape' must list positive integers");
      spec.shape.push_back(dim.getInteger());
    }
    const JsonValue *init = p.get("init");
    if (!init)
      return Status::error(where + ": missing 'init'");
    RESCALE_RETURN_IF_ERROR(parseInit(*init, spec.init).withContext(where));
    const JsonValue *decay = p.get("decay");
    if (!decay || !decay->isBool())
      return Status::error(where + ": 'decay' must be true or false");
    spec.decay = decay->getBool();
    d.parameters.push_back(std::move(spec));
  }
  return d;
}

Expected<ModelDescription> readModelDescription(const std::string &path) {
  Expected<std::string> text = readWholeFile(path);
  if (!text)
    return text.status();
  Expected<JsonValue> json = runtime::parseJson(*text);
  if (!json)
    return json.status().withContext("'" + path + "'");
  Expected<ModelDescription> d = parseModelDescription(*json);
  if (!d)
    return d.status().withContext("'" + path + "'");
  return d;
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

Expected<CompiledModel::Buffer>
CompiledModel::Buffer::create(bool onDevice, DType dtype,
                              const std::vector<int64_t> &shape) {
  Buffer b;
  b.onDevice_ = onDevice;
  if (onDevice) {
    Expected<runtime::DeviceTensor> d =
        runtime::DeviceTensor::allocate(dtype, shape);
    if (!d)
      return d.status();
    b.device_ = d.take();
  } else {
    Expected<HostTensor> h = HostTensor::create(dtype, shape);
    if (!h)
      return h.status();
    b.host_ = h.take();
  }
  return b;
}

void *CompiledModel::Buffer::data() const {
  return onDevice_ ? device_.data() : const_cast<uint8_t *>(host_.data());
}

Status CompiledModel::Buffer::upload(const HostTensor &host) {
  if (!onDevice_) {
    std::memcpy(host_.data(), host.data(), host.numBytes());
    return Status::ok();
  }
  Expected<runtime::DeviceTensor> d = runtime::DeviceTensor::upload(host);
  if (!d)
    return d.status();
  device_ = d.take();
  return Status::ok();
}

Status CompiledModel::Buffer::download(HostTensor &host) const {
  if (!onDevice_) {
    std::memcpy(host.data(), host_.data(), host.numBytes());
    return Status::ok();
  }
  return device_.download(host);
}

//===----------------------------------------------------------------------===//
// Loading and checking
//===----------------------------------------------------------------------===//

/// "expected f32[4,4] (m_0 'x'), got f32[4]" checks of one entry's list.
static Status
checkList(const std::string &module, const std::string &entry, const char *what,
          const std::vector<TensorSpec> &actual,
          const std::vector<std::pair<std::string, TensorSpec>> &want,
          size_t numParams) {
  if (actual.size() != want.size())
    return Status::error("module '" + module +
                         "' does not match model.json: " + entry + " has " +
                         std::to_string(actual.size()) + " " + what +
                         "s, the contract for " + std::to_string(numParams) +
                         " parameters needs " + std::to_string(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    const TensorSpec &a = actual[i];
    const TensorSpec &w = want[i].second;
    if (a.dtype != w.dtype || a.shape != w.shape)
      return Status::error(
          "module '" + module + "' does not match model.json: " + entry + " " +
          what + " " + std::to_string(i) + " (" + want[i].first +
          "): expected " + w.toString() + ", got " + a.toString());
  }
  return Status::ok();
}

Expected<std::unique_ptr<CompiledModel>>
CompiledModel::load(const std::string &mdir) {
  if (!isDirectory(mdir))
    return Status::error("compiled model folder '" + mdir + "' does not exist");
  Expected<ModelDescription> desc =
      readModelDescription(joinPath(mdir, "model.json"));
  if (!desc)
    return desc.status();
  std::unique_ptr<CompiledModel> m(new CompiledModel());
  m->mdir_ = mdir;
  m->desc_ = desc.take();
  std::string so = joinPath(mdir, "train.so");
  Expected<std::unique_ptr<runtime::Module>> module = runtime::Module::load(so);
  if (!module)
    return module.status();
  m->module_ = module.take();
  const runtime::Manifest &manifest = m->module_->manifest();
  if (manifest.target != m->desc_.target)
    return Status::error("module '" + so + "' was compiled for target '" +
                         manifest.target + "' but model.json says '" +
                         m->desc_.target + "'");
  m->onDevice_ = manifest.argMemory == runtime::ArgMemory::Device;

  // The contract, spelled out as tensor lists, then compared.
  const ModelDescription &d = m->desc_;
  std::vector<std::pair<std::string, TensorSpec>> params, stepIn, stepOut,
      evalIn, evalOut;
  for (const ParameterSpec &p : d.parameters)
    params.push_back({"'" + p.name + "'", TensorSpec{DType::F32, p.shape}});
  TensorSpec tokens{DType::I32, {d.batch, d.seq + 1}};
  TensorSpec scalar{DType::F32, {}};
  for (const char *k : {"p", "m", "v"})
    for (size_t i = 0; i < params.size(); ++i)
      stepIn.push_back(
          {std::string(k) + "_" + std::to_string(i) + " " + params[i].first,
           params[i].second});
  stepIn.push_back({"hyper", TensorSpec{DType::F32, {8}}});
  stepIn.push_back({"tokens", tokens});
  stepOut.push_back({"loss", scalar});
  stepOut.push_back({"grad_norm", scalar});
  for (const char *k : {"p'", "m'", "v'"})
    for (size_t i = 0; i < params.size(); ++i)
      stepOut.push_back(
          {std::string(k) + "_" + std::to_string(i) + " " + params[i].first,
           params[i].second});
  for (size_t i = 0; i < params.size(); ++i)
    evalIn.push_back(
        {"p_" + std::to_string(i) + " " + params[i].first, params[i].second});
  evalIn.push_back({"tokens", tokens});
  evalOut.push_back({"loss", scalar});

  for (const char *name : {"train_step", "eval_loss"}) {
    const runtime::EntrySpec *e = manifest.findEntry(name);
    if (!e)
      return Status::error("module '" + so + "' has no entry '" + name +
                           "' (it has: " + manifest.entryNames() + ")");
    bool step = std::string(name) == "train_step";
    RESCALE_RETURN_IF_ERROR(checkList(so, name, "input", e->inputs,
                                      step ? stepIn : evalIn, params.size()));
    RESCALE_RETURN_IF_ERROR(checkList(so, name, "output", e->outputs,
                                      step ? stepOut : evalOut, params.size()));
    (step ? m->trainStep_ : m->evalLoss_) = e;
  }

  // Buffers: two state sets, the step's small inputs and scalar outputs.
  for (auto &set : m->state_)
    for (int k = 0; k < 3; ++k)
      for (const ParameterSpec &p : d.parameters) {
        Expected<Buffer> b = Buffer::create(m->onDevice_, DType::F32, p.shape);
        if (!b)
          return b.status();
        set.push_back(b.take());
      }
  auto make = [&](Buffer &b, HostTensor *host, DType dt,
                  std::vector<int64_t> shape) -> Status {
    Expected<Buffer> buf = Buffer::create(m->onDevice_, dt, shape);
    if (!buf)
      return buf.status();
    b = buf.take();
    if (host) {
      Expected<HostTensor> h = HostTensor::create(dt, shape);
      if (!h)
        return h.status();
      *host = h.take();
    }
    return Status::ok();
  };
  RESCALE_RETURN_IF_ERROR(make(m->hyper_, &m->hostHyper_, DType::F32, {8}));
  RESCALE_RETURN_IF_ERROR(
      make(m->tokens_, &m->hostTokens_, DType::I32, tokens.shape));
  RESCALE_RETURN_IF_ERROR(make(m->loss_, &m->hostScalar_, DType::F32, {}));
  RESCALE_RETURN_IF_ERROR(make(m->gradNorm_, nullptr, DType::F32, {}));
  return m;
}

//===----------------------------------------------------------------------===//
// State
//===----------------------------------------------------------------------===//

Status CompiledModel::initialize(Rng &rng) {
  size_t P = numParameters();
  for (size_t i = 0; i < P; ++i) {
    const ParameterSpec &p = desc_.parameters[i];
    Expected<HostTensor> t = HostTensor::create(DType::F32, p.shape);
    if (!t)
      return t.status();
    float *x = t->dataAs<float>();
    for (int64_t j = 0; j < t->numElements(); ++j) {
      if (p.init.kind == "normal")
        x[j] = static_cast<float>(p.init.std * rng.normal());
      else if (p.init.kind == "ones")
        x[j] = 1.0f;
      else if (p.init.kind == "constant")
        x[j] = static_cast<float>(p.init.value);
      else if (p.init.kind == "uniform")
        x[j] = static_cast<float>(p.init.low +
                                  (p.init.high - p.init.low) * rng.uniform());
      else if (p.init.kind == "log_uniform")
        x[j] = static_cast<float>(
            std::log(p.init.low + (p.init.high - p.init.low) * rng.uniform()));
      else
        x[j] = 0.0f;
    }
    RESCALE_RETURN_IF_ERROR(state_[current_][i].upload(*t));
    std::memset(t->data(), 0, t->numBytes());
    RESCALE_RETURN_IF_ERROR(state_[current_][P + i].upload(*t));
    RESCALE_RETURN_IF_ERROR(state_[current_][2 * P + i].upload(*t));
  }
  return Status::ok();
}

Status CompiledModel::setState(const NamedTensors &params,
                               const NamedTensors &m, const NamedTensors &v) {
  size_t P = numParameters();
  for (size_t k = 0; k < 3; ++k) {
    const NamedTensors &list = k == 0 ? params : k == 1 ? m : v;
    if (list.empty() && k > 0) {
      // Evaluation only: zero moments.
      for (size_t i = 0; i < P; ++i) {
        Expected<HostTensor> z =
            HostTensor::create(DType::F32, desc_.parameters[i].shape);
        if (!z)
          return z.status();
        RESCALE_RETURN_IF_ERROR(state_[current_][k * P + i].upload(*z));
      }
      continue;
    }
    if (list.size() != P)
      return Status::error("expected " + std::to_string(P) + " tensors, got " +
                           std::to_string(list.size()));
    for (size_t i = 0; i < P; ++i) {
      const ParameterSpec &p = desc_.parameters[i];
      const auto &[name, t] = list[i];
      if (name != p.name || t.dtype() != DType::F32 || t.shape() != p.shape)
        return Status::error("tensor " + std::to_string(i) + " is '" + name +
                             "' " + t.typeString() + ", the model needs '" +
                             p.name + "' f32" + runtime::formatShape(p.shape));
      RESCALE_RETURN_IF_ERROR(state_[current_][k * P + i].upload(t));
    }
  }
  return Status::ok();
}

Status CompiledModel::getState(NamedTensors &params, NamedTensors &m,
                               NamedTensors &v) const {
  size_t P = numParameters();
  params.clear(), m.clear(), v.clear();
  for (size_t k = 0; k < 3; ++k)
    for (size_t i = 0; i < P; ++i) {
      const ParameterSpec &p = desc_.parameters[i];
      Expected<HostTensor> t = HostTensor::create(DType::F32, p.shape);
      if (!t)
        return t.status();
      RESCALE_RETURN_IF_ERROR(state_[current_][k * P + i].download(*t));
      (k == 0 ? params : k == 1 ? m : v).emplace_back(p.name, t.take());
    }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

Expected<StepResult> CompiledModel::step(const StepHyper &hyper,
                                         const int32_t *tokens) {
  float *h = hostHyper_.dataAs<float>();
  h[0] = hyper.lr;
  h[1] = hyper.beta1;
  h[2] = hyper.beta2;
  h[3] = hyper.eps;
  h[4] = hyper.weightDecay;
  h[5] = hyper.maxGradNorm;
  h[6] = static_cast<float>(hyper.step);
  h[7] = 0.0f;
  RESCALE_RETURN_IF_ERROR(hyper_.upload(hostHyper_));
  std::memcpy(hostTokens_.data(), tokens, hostTokens_.numBytes());
  RESCALE_RETURN_IF_ERROR(tokens_.upload(hostTokens_));

  std::vector<void *> buffers;
  for (const Buffer &b : state_[current_])
    buffers.push_back(b.data());
  buffers.push_back(hyper_.data());
  buffers.push_back(tokens_.data());
  buffers.push_back(loss_.data());
  buffers.push_back(gradNorm_.data());
  for (const Buffer &b : state_[1 - current_])
    buffers.push_back(b.data());
  RESCALE_RETURN_IF_ERROR(module_->callInPlace(*trainStep_, buffers));
  current_ = 1 - current_; // the outputs are the state now

  StepResult r;
  RESCALE_RETURN_IF_ERROR(loss_.download(hostScalar_));
  r.loss = *hostScalar_.dataAs<float>();
  RESCALE_RETURN_IF_ERROR(gradNorm_.download(hostScalar_));
  r.gradNorm = *hostScalar_.dataAs<float>();
  return r;
}

Expected<float> CompiledModel::evalLoss(const int32_t *tokens) {
  std::memcpy(hostTokens_.data(), tokens, hostTokens_.numBytes());
  RESCALE_RETURN_IF_ERROR(tokens_.upload(hostTokens_));
  std::vector<void *> buffers;
  for (size_t i = 0; i < numParameters(); ++i)
    buffers.push_back(state_[current_][i].data());
  buffers.push_back(tokens_.data());
  buffers.push_back(loss_.data());
  RESCALE_RETURN_IF_ERROR(module_->callInPlace(*evalLoss_, buffers));
  RESCALE_RETURN_IF_ERROR(loss_.download(hostScalar_));
  return *hostScalar_.dataAs<float>();
}

} // namespace rescale::trainer
