import ArborTensor
import Foundation
import Testing

@Suite struct ParameterPersistenceTests {
  private func sampleStore() -> ParameterStore {
    var store = ParameterStore()
    store.add("encoder.weight", randomTensor([3, 4], seed: 1))
    store.add("encoder.bias", randomTensor([4], seed: 2), weightDecay: false)
    store.add("scale", Tensor(scalar: -0.0))
    store.add("empty", Tensor(zeros: [0, 2]))
    store.add(
      "name with \"quotes\" and ü",
      Tensor(shape: [2], storage: [.greatestFiniteMagnitude, -Float.leastNonzeroMagnitude]))
    return store
  }

  @Test func roundTripIsExact() throws {
    let directory = makeTemporaryDirectory()
    let path = directory + "/model.safetensors"
    let store = sampleStore()
    try store.save(to: path, configuration: ["hidden": "4", "note": "line\nbreak"])
    let contents = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    #expect(contents == ["model.json", "model.safetensors"], "no temporary files left behind")

    let (read, manifest) = try ParameterStore.read(from: path)
    #expect(read.names == store.names)
    #expect(read.weightDecayMask == store.weightDecayMask)
    for (a, b) in zip(read.values, store.values) {
      #expect(a.shape == b.shape)
      #expect(a.storage.map(\.bitPattern) == b.storage.map(\.bitPattern))
    }
    #expect(manifest.configuration == ["hidden": "4", "note": "line\nbreak"])
    #expect(manifest.shapes == store.values.map(\.shape))

    var target = ParameterStore()
    for (name, value) in zip(store.names, store.values) { target.add(name, Tensor(zeros: value.shape)) }
    try target.load(from: path)
    #expect(target.values == store.values)

    // The weights are a valid safetensors file with an 8-byte aligned data buffer.
    let file = try SafeTensorsFile(path: path)
    #expect(file.dataOffset % 8 == 0)
    #expect(file.entries["encoder.weight"]?.shape == [3, 4])
    #expect(file.metadata["format"] == "arbor")
  }

  @Test func loadRejectsMissingExtraAndMismatchedParameters() throws {
    let path = makeTemporaryDirectory() + "/model.safetensors"
    try sampleStore().save(to: path)

    func loadError(_ store: ParameterStore) -> String? {
      var copy = store
      do {
        try copy.load(from: path)
        return nil
      } catch {
        #expect(copy.values == store.values, "a failed load must leave the store unchanged")
        return error.description
      }
    }
    var extra = sampleStore()
    extra.add("decoder.weight", Tensor(zeros: [2, 2]))
    #expect(loadError(extra)?.contains("missing parameter 'decoder.weight'") == true)

    var missing = ParameterStore()
    missing.add("encoder.weight", Tensor(zeros: [3, 4]))
    let missingMessage = loadError(missing)
    #expect(missingMessage?.contains("unexpected parameter 'encoder.bias'") == true)
    #expect(missingMessage?.hasPrefix(path + ": ") == true)

    var mismatched = ParameterStore()
    for (name, value) in zip(sampleStore().names, sampleStore().values) {
      mismatched.add(name, name == "encoder.weight" ? Tensor(zeros: [4, 3]) : value)
    }
    #expect(loadError(mismatched)?.contains("'encoder.weight' has shape [3, 4], expected [4, 3]") == true)
  }

  @Test func loadRejectsWeightsThatDoNotBelongToTheManifest() throws {
    let directory = makeTemporaryDirectory()
    let path = directory + "/model.safetensors"
    try sampleStore().save(to: path)
    // Replace the weights behind the manifest's back.
    try SafeTensorsFile.write([(name: "encoder.weight", tensor: Tensor(zeros: [3, 4]))], to: path)
    #expect(throws: SafeTensorsError.self) { try ParameterStore.read(from: path) }
    do {
      _ = try ParameterStore.read(from: path)
    } catch {
      #expect(error.message.contains("checksum"))
    }
    // A missing manifest is named in the error.
    try FileManager.default.removeItem(atPath: directory + "/model.json")
    do {
      _ = try ParameterStore.read(from: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.path == directory + "/model.json")
    }
    // A manifest of another format is rejected.
    try Data("{\"format\": \"other\"}".utf8).write(to: URL(fileURLWithPath: directory + "/model.json"))
    do {
      _ = try ParameterStore.read(from: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.message.contains("arbor-parameters"))
    }
  }

  @Test func savingIntoAMissingDirectoryFailsCleanly() {
    let path = makeTemporaryDirectory() + "/no/such/dir/model.safetensors"
    do {
      try sampleStore().save(to: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.path == path)
      #expect(error.message.contains("temporary file"))
    }
  }

  @Test func manifestPathReplacesTheExtension() {
    #expect(ParameterStore.manifestPath(forWeights: "/a/b/model.safetensors") == "/a/b/model.json")
    #expect(ParameterStore.manifestPath(forWeights: "weights") == "weights.json")
  }
}
