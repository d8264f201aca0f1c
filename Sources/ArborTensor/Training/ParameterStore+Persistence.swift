/// What a parameter manifest records besides the tensors themselves.
public struct ParameterManifest: Sendable, Equatable {
  /// The manifest format's version; readers reject versions they do not know.
  public static let currentVersion = 1

  /// Parameter names in store order.
  public var names: [String]
  /// Parameter shapes, parallel to `names`.
  public var shapes: [[Int]]
  /// Whether weight decay applies, parallel to `names`.
  public var weightDecayMask: [Bool]
  /// Free-form settings of the model that owns the parameters (sizes, vocabulary, seed, …).
  public var configuration: [String: String]
}

extension ParameterStore {
  /// The manifest path that belongs to a weights path: `model.safetensors` → `model.json`.
  public static func manifestPath(forWeights path: String) -> String {
    let suffix = ".safetensors"
    let stem = path.hasSuffix(suffix) ? String(path.dropLast(suffix.count)) : path
    return stem + ".json"
  }

  /// Saves every parameter as F32 to `path` (a `.safetensors` file) and a JSON manifest beside it
  /// (`manifestPath(forWeights:)`) holding names, shapes, weight-decay flags, `configuration`, the
  /// format version and a checksum of the weights file. Each file is written atomically.
  public func save(to path: String, configuration: [String: String] = [:]) throws(SafeTensorsError) {
    let tensors = zip(names, values).map { (name: $0, tensor: $1) }
    try SafeTensorsFile.write(tensors, metadata: ["format": "arbor"], to: path)
    let checksum = try SafeTensorsFile(path: path).checksum
    var text = "{\n  \"format\": \"arbor-parameters\",\n  \"version\": \(ParameterManifest.currentVersion),\n"
    let slash = path.lastIndex(of: "/")
    let fileName = slash.map { String(path[path.index(after: $0)...]) } ?? path
    text += "  \"weights\": \(JSONText.quoted(fileName)),\n"
    text += "  \"weights_fnv1a64\": \"\(String(checksum, radix: 16))\",\n"
    text += "  \"parameters\": [\n"
    text += names.indices.map { index in
      let shape = values[index].shape.map(String.init).joined(separator: ", ")
      return "    {\"name\": \(JSONText.quoted(names[index])), \"shape\": [\(shape)], "
        + "\"weight_decay\": \(weightDecayMask[index])}"
    }.joined(separator: ",\n")
    text += "\n  ],\n  \"configuration\": {"
    text += configuration.keys.sorted().map {
      "\n    \(JSONText.quoted($0)): \(JSONText.quoted(configuration[$0]!))"
    }
    .joined(separator: ",")
    text += configuration.isEmpty ? "}\n}\n" : "\n  }\n}\n"
    try AtomicFile.write(Array(text.utf8), to: Self.manifestPath(forWeights: path))
  }

  /// Reads a store saved by `save(to:configuration:)`, with its manifest.
  public static func read(from path: String) throws(SafeTensorsError) -> (
    store: ParameterStore, manifest: ParameterManifest
  ) {
    let (file, manifest) = try openChecked(path)
    var store = ParameterStore()
    for (index, name) in manifest.names.enumerated() {
      store.add(name, try file.tensor(name), weightDecay: manifest.weightDecayMask[index])
    }
    return (store, manifest)
  }

  /// Replaces the values of this store's parameters with those saved at `path`. The saved
  /// parameters must be exactly this store's: the same names with the same shapes. Returns the
  /// manifest (for its configuration). Nothing changes if anything is wrong.
  @discardableResult
  public mutating func load(from path: String) throws(SafeTensorsError) -> ParameterManifest {
    let (file, manifest) = try Self.openChecked(path)
    var problems: [String] = []
    let saved = Dictionary(uniqueKeysWithValues: zip(manifest.names, manifest.shapes))
    for (index, name) in names.enumerated() {
      guard let shape = saved[name] else {
        problems.append("missing parameter '\(name)'")
        continue
      }
      if shape != values[index].shape {
        problems.append("parameter '\(name)' has shape \(shape), expected \(values[index].shape)")
      }
    }
    let known = Set(names)
    for name in manifest.names where !known.contains(name) {
      problems.append("unexpected parameter '\(name)'")
    }
    if !problems.isEmpty {
      let shown = problems.prefix(10).joined(separator: "; ")
      let more = problems.count > 10 ? "; and \(problems.count - 10) more" : ""
      throw SafeTensorsError(path: path, message: "parameters do not match the model: \(shown)\(more)")
    }
    var loaded = values
    for (index, name) in names.enumerated() {
      loaded[index] = try file.tensor(name)
    }
    for (index, value) in loaded.enumerated() {
      self[ParameterID(index: index)] = value
    }
    return manifest
  }

  /// Opens the weights and manifest and checks that they belong together.
  private static func openChecked(_ path: String) throws(SafeTensorsError) -> (
    SafeTensorsFile, ParameterManifest
  ) {
    let manifestPath = manifestPath(forWeights: path)
    let (manifest, expectedChecksum) = try readManifest(manifestPath)
    let file = try SafeTensorsFile(path: path)
    if String(file.checksum, radix: 16) != expectedChecksum {
      throw SafeTensorsError(
        path: path, message: "weights do not match the checksum in \(manifestPath) (written by another save?)"
      )
    }
    let fileNames = Set(file.entries.keys).union(file.unsupportedEntries.keys)
    for (name, shape) in zip(manifest.names, manifest.shapes) {
      guard let entry = file.entries[name] else {
        throw SafeTensorsError(
          path: path, message: "manifest lists '\(name)' but the weights have no such tensor")
      }
      if entry.shape != shape {
        throw SafeTensorsError(
          path: path, message: "tensor '\(name)' has shape \(entry.shape), manifest says \(shape)")
      }
    }
    if fileNames.count != manifest.names.count {
      let extra = fileNames.subtracting(manifest.names).sorted().first ?? ""
      throw SafeTensorsError(
        path: path, message: "weights hold tensor '\(extra)' that the manifest does not list")
    }
    return (file, manifest)
  }

  private static func readManifest(
    _ path: String
  ) throws(SafeTensorsError) -> (manifest: ParameterManifest, checksum: String) {
    let bytes = try AtomicFile.read(path, limit: 64 << 20)
    func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(path: path, message: message) }
    let json: HeaderJSON
    do {
      json = try HeaderJSONParser.parse(bytes)
    } catch {
      throw fail("invalid JSON at byte \(error.offset): \(error.message)")
    }
    guard case .object(let members) = json else { throw fail("manifest must be a JSON object") }
    var fields: [String: HeaderJSON] = [:]
    for member in members { fields[member.key] = member.value }
    guard case .string("arbor-parameters")? = fields["format"] else {
      throw fail("'format' must be \"arbor-parameters\"")
    }
    guard case .number(let versionText)? = fields["version"], let version = Int(versionText) else {
      throw fail("'version' must be an integer")
    }
    guard version == ParameterManifest.currentVersion else {
      throw fail(
        "manifest version \(version) is not supported (this build reads \(ParameterManifest.currentVersion))")
    }
    guard case .string(let checksum)? = fields["weights_fnv1a64"] else {
      throw fail("'weights_fnv1a64' must be a string")
    }
    guard case .array(let parameters)? = fields["parameters"] else {
      throw fail("'parameters' must be an array")
    }
    var names: [String] = []
    var shapes: [[Int]] = []
    var decays: [Bool] = []
    var seen = Set<String>()
    for (position, parameter) in parameters.enumerated() {
      guard case .object(let entry) = parameter else {
        throw fail("parameters[\(position)] must be an object")
      }
      var values: [String: HeaderJSON] = [:]
      for member in entry { values[member.key] = member.value }
      guard case .string(let name)? = values["name"], seen.insert(name).inserted else {
        throw fail("parameters[\(position)].name must be a unique string")
      }
      guard case .array(let dimensions)? = values["shape"] else {
        throw fail("parameters[\(position)].shape must be an array of integers")
      }
      var shape: [Int] = []
      for dimension in dimensions {
        guard let size = SafeTensorsFile.nonNegativeInteger(dimension) else {
          throw fail("parameters[\(position)].shape must hold non-negative integers")
        }
        shape.append(size)
      }
      var decay = true
      if let flag = values["weight_decay"] {
        guard case .bool(let value) = flag else {
          throw fail("parameters[\(position)].weight_decay must be a boolean")
        }
        decay = value
      }
      names.append(name)
      shapes.append(shape)
      decays.append(decay)
    }
    var configuration: [String: String] = [:]
    if let config = fields["configuration"] {
      guard case .object(let entries) = config else {
        throw fail("'configuration' must be an object of strings")
      }
      for member in entries {
        guard case .string(let text) = member.value else {
          throw fail("configuration value for '\(member.key)' must be a string")
        }
        configuration[member.key] = text
      }
    }
    let manifest = ParameterManifest(
      names: names, shapes: shapes, weightDecayMask: decays, configuration: configuration)
    return (manifest, checksum)
  }
}
