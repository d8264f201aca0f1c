extension AdamW {
  /// Saves the optimizer's state (update count, hyperparameters and both moment estimates) as a
  /// safetensors file, atomically, so that training can resume exactly. Moments are stored as
  /// `m.NAME` and `v.NAME` for each parameter of `store`; the rest goes in the metadata.
  public func saveState(to path: String, for store: ParameterStore) throws(SafeTensorsError) {
    var tensors: [(name: String, tensor: Tensor)] = []
    if !firstMoments.isEmpty {
      guard firstMoments.count == store.count else {
        throw SafeTensorsError(
          path: path, message: "optimizer state has \(firstMoments.count) parameters, store \(store.count)")
      }
      for (index, name) in store.names.enumerated() {
        let shape = store.values[index].shape
        tensors.append(("m." + name, Tensor(shape: shape, storage: firstMoments[index])))
        tensors.append(("v." + name, Tensor(shape: shape, storage: secondMoments[index])))
      }
    }
    let metadata = [
      "format": "arbor-adamw", "version": "1", "step": String(step),
      "learning_rate": floatText(learningRate), "beta1": floatText(beta1), "beta2": floatText(beta2),
      "epsilon": floatText(epsilon), "weight_decay": floatText(weightDecay), "schedule": scheduleText,
    ]
    try SafeTensorsFile.write(tensors, metadata: metadata, to: path)
  }

  /// Restores state saved by `saveState(to:for:)`: the update count, hyperparameters, schedule and
  /// moments, which must match the parameters of `store` by name and shape. Nothing changes on error.
  public mutating func loadState(from path: String, for store: ParameterStore) throws(SafeTensorsError) {
    let file = try SafeTensorsFile(path: path)
    func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(path: path, message: message) }
    let metadata = file.metadata
    guard metadata["format"] == "arbor-adamw", metadata["version"] == "1" else {
      throw fail("not an Arbor AdamW state file (metadata format \"arbor-adamw\", version \"1\" expected)")
    }
    func number(_ key: String) throws(SafeTensorsError) -> Float {
      guard let text = metadata[key], let value = Float(text) else {
        throw fail("metadata '\(key)' must be a number")
      }
      return value
    }
    guard let stepText = metadata["step"], let savedStep = Int(stepText), savedStep >= 0 else {
      throw fail("metadata 'step' must be a non-negative integer")
    }
    guard let schedule = LearningRateSchedule(text: metadata["schedule"] ?? "") else {
      throw fail("metadata 'schedule' is not a schedule this build knows: '\(metadata["schedule"] ?? "")'")
    }
    var restored = self
    restored.learningRate = try number("learning_rate")
    restored.beta1 = try number("beta1")
    restored.beta2 = try number("beta2")
    restored.epsilon = try number("epsilon")
    restored.weightDecay = try number("weight_decay")
    restored.schedule = schedule
    restored.step = savedStep
    if file.entries.isEmpty && file.unsupportedEntries.isEmpty {
      restored.firstMoments = []
      restored.secondMoments = []
    } else {
      let expected = Set(store.names.flatMap { ["m." + $0, "v." + $0] })
      if let extra = Set(file.entries.keys).union(file.unsupportedEntries.keys).subtracting(expected).sorted()
        .first
      {
        throw fail("state holds '\(extra)', which is not a moment of any parameter of the model")
      }
      var first: [[Float]] = []
      var second: [[Float]] = []
      for (index, name) in store.names.enumerated() {
        for (prefix, target) in [("m.", 0), ("v.", 1)] {
          guard let entry = file.entries[prefix + name] else { throw fail("missing '\(prefix + name)'") }
          guard entry.shape == store.values[index].shape else {
            throw fail(
              "'\(prefix + name)' has shape \(entry.shape), the parameter \(store.values[index].shape)")
          }
          let values = try file.floats(prefix + name)
          if target == 0 { first.append(values) } else { second.append(values) }
        }
      }
      restored.firstMoments = first
      restored.secondMoments = second
    }
    self = restored
  }

  private var scheduleText: String {
    switch schedule {
    case .constant: "constant"
    case .linearWarmupDecay(let warmup, let total): "linear_warmup_decay \(warmup) \(total)"
    }
  }
}

extension LearningRateSchedule {
  /// Parses the form written by `AdamW.saveState`.
  init?(text: String) {
    let parts = text.split(separator: " ")
    if parts == ["constant"] {
      self = .constant
    } else if parts.count == 3, parts[0] == "linear_warmup_decay", let warmup = Int(parts[1]),
      let total = Int(parts[2])
    {
      self = .linearWarmupDecay(warmupSteps: warmup, totalSteps: total)
    } else {
      return nil
    }
  }
}

/// A `Float` as text that parses back to the same value (Swift prints the shortest such form).
private func floatText(_ value: Float) -> String {
  "\(value)"
}
