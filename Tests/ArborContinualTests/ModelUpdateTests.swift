import ArborClassify
import ArborTensor
import ArborTree
import Foundation
import Testing

@testable import ArborContinual

@Suite struct ModelUpdateTests {
  /// The predicted path of each text, as ids.
  func paths(_ model: HierarchicalClassifier, _ texts: [String]) throws -> [[String]] {
    try model.predict(texts).map { $0.paths[0].map(model.taxonomy.id) }
  }

  @Test(arguments: [ClassifierMethod.flat, .local])
  func learnsNewFinerClassesAndKeepsTheOldOnes(method: ClassifierMethod) throws {
    let model = try LearnFixture.trainedModel(method: method)
    let texts = ["it meows and purrs", "it barks and wags", "a trunk with leaves", "petals in bloom"]
    // Before: animals end at "animal" (the model knows no finer label), plants are right.
    #expect(
      try paths(model, texts) == [["animal"], ["animal"], ["plant", "tree"], ["plant", "flower"]])
    let grown = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    let new = LearnFixture.documents(classes: ["cat", "dog"], count: 4, coarseAnimals: false, prefix: "n")
    let (updated, summary) = try model.learning(new, taxonomy: grown, settings: ModelUpdateSettings())
    #expect(
      try paths(updated, texts) == [
        ["animal", "cat"], ["animal", "dog"], ["plant", "tree"], ["plant", "flower"],
      ])
    #expect(Set(summary.addedNodeIDs) == ["cat", "dog"])
    #expect(summary.strandedNodeIDs.isEmpty)
    #expect(summary.documentCount == 8)
    // Old nodes keep their ids; the model's taxonomy is the grown one.
    #expect(updated.taxonomy.count == 7)
    // Flat: cat and dog are added path ends (animal stays one); local: two new edges under animal.
    #expect(summary.addedOutputCount == 2)
    #expect(summary.outputCount == model.layout.outputCount + 2)
  }

  @Test(arguments: [ClassifierMethod.flat, .local])
  func multiPathModelsGrowToo(method: ClassifierMethod) throws {
    var settings = ClassifierConfiguration()
    settings.method = method
    settings.multiPath = true
    settings.minimumDocumentFrequency = 1
    settings.epochs = 20
    let documents = LearnFixture.documents(
      classes: ["cat", "dog", "tree", "flower"], count: 6, coarseAnimals: true)
    let model = try HierarchicalClassifier.train(
      taxonomy: try LearnFixture.taxonomy(LearnFixture.cutNodes), documents: documents,
      configuration: settings)
    let grown = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    let new = LearnFixture.documents(classes: ["cat", "dog"], count: 4, coarseAnimals: false, prefix: "n")
    // Eight toy documents: a larger rate than the default for SVM-trained models (0.05, tuned on
    // 1,000 real documents) is needed to move the model in three passes.
    var update = ModelUpdateSettings()
    update.learningRate = 0.25
    let updated = try model.learning(new, taxonomy: grown, settings: update).model
    let labels = try updated.predict(["it meows and purrs", "it barks and wags", "petals in bloom"]).map {
      Set($0.labels.map(grown.id))
    }
    #expect(labels == [["animal", "cat"], ["animal", "dog"], ["plant", "flower"]])
  }

  @Test func namesOldLeavesThatGotChildrenWithoutDocuments() throws {
    // Grown taxonomy adds cat and dog under animal (an old leaf), but the new documents are plants.
    let model = try LearnFixture.trainedModel(method: .flat)
    let grown = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    let new = LearnFixture.documents(classes: ["tree"], count: 3, coarseAnimals: false, prefix: "n")
    let summary = try model.learning(new, taxonomy: grown, settings: ModelUpdateSettings()).summary
    #expect(summary.strandedNodeIDs == ["animal"])
  }

  @Test func theNewClassesInitialisationAloneAlreadySeparatesThem() throws {
    // With no SGD pass, the new outputs come from the parent and the documents' mean rows only.
    let model = try LearnFixture.trainedModel(method: .flat)
    let grown = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    let new = LearnFixture.documents(classes: ["cat", "dog"], count: 4, coarseAnimals: false, prefix: "n")
    var settings = ModelUpdateSettings()
    settings.epochs = 0
    let (updated, summary) = try model.learning(new, taxonomy: grown, settings: settings)
    #expect(summary.updateCount == 0)
    #expect(
      try paths(updated, ["it meows and purrs", "it barks and wags"]) == [
        ["animal", "cat"], ["animal", "dog"],
      ])
    #expect(try paths(updated, ["petals in bloom"]) == [["plant", "flower"]])
  }

  @Test func sameSeedSameModelAndTheMemoryStaysBoundedAndBalanced() throws {
    let model = try LearnFixture.trainedModel(method: .flat, memorySize: 6)
    // Training memory: 4 classes seen (animal coarse, tree, flower) = 3 classes, 6 items: 2 each.
    let trainedCounts = Dictionary(grouping: model.memory.paths, by: { $0.last! }).mapValues(\.count)
    #expect(trainedCounts.values.sorted() == [2, 2, 2])
    let grown = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    let new = LearnFixture.documents(
      classes: ["cat", "dog", "tree"], count: 9, coarseAnimals: false, prefix: "n")
    var settings = ModelUpdateSettings()
    settings.memorySize = 10
    settings.seed = 7
    let first = try model.learning(new, taxonomy: grown, settings: settings).model
    let second = try model.learning(new, taxonomy: grown, settings: settings).model
    #expect(first.heads.weights == second.heads.weights)
    #expect(first.memory.paths == second.memory.paths)
    // 10 items over 5 classes (animal, tree, flower, cat, dog): animal 2, tree 2 + 9, flower 2, cat 9, dog 9 → 2 each.
    #expect(first.memory.count == 10)
    let counts = Dictionary(grouping: first.memory.paths, by: { $0.last! }).mapValues(\.count)
    #expect(counts.count == 5 && counts.values.allSatisfy { $0 == 2 })
    settings.seed = 8
    let third = try model.learning(new, taxonomy: grown, settings: settings).model
    #expect(third.heads.weights != first.heads.weights)
  }

  @Test func aModelWithoutMemoryLearnsAndStartsOne() throws {
    // As a model file written before rehearsal memories existed: no memory, no seen counts.
    let model = try LearnFixture.trainedModel(method: .flat, memorySize: 0)
    #expect(model.memory.count == 0 && model.memory.seenCounts.isEmpty)
    let grown = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    let new = LearnFixture.documents(classes: ["cat", "dog"], count: 4, coarseAnimals: false, prefix: "n")
    let (updated, summary) = try model.learning(new, taxonomy: grown, settings: ModelUpdateSettings())
    #expect(summary.memoryBefore == 0 && summary.memoryAfter == 8)
    #expect(updated.configuration.memorySize == HierarchicalClassifier.defaultMemorySize)
    #expect(
      try paths(updated, ["it meows and purrs", "it barks and wags"]) == [
        ["animal", "cat"], ["animal", "dog"],
      ])
  }

  @Test func quotasShareTheBudgetEquallyAndGiveUnusedShares() {
    // Hand-computed water-filling: shares of 3 give [3, 1, 3]; the 2 left go 1 each to the open classes.
    #expect(ModelRehearsalMemory.quotas(classSizes: [10, 1, 5], budget: 9) == [4, 1, 4])
    #expect(ModelRehearsalMemory.quotas(classSizes: [10, 1, 5], budget: 100) == [10, 1, 5])
    #expect(ModelRehearsalMemory.quotas(classSizes: [4, 4, 4], budget: 2) == [1, 1, 0])
    #expect(ModelRehearsalMemory.quotas(classSizes: [0, 7], budget: 3) == [0, 3])
  }

  @Test func partialLabelGradientMatchesTheHandComputedValue() {
    // scores (0, 0, ln 2) → p = (1/4, 1/4, 1/2); targets {1, 2} hold mass 3/4;
    // gradient p_k − 1[k∈T] p_k / (3/4) = (1/4, 1/4 − 1/3, 1/2 − 2/3).
    var scores: [Float] = [0, 0, logf(2)]
    scores.withUnsafeMutableBufferPointer { buffer in
      UpdateTrainer.softmaxGradient(buffer.baseAddress!, count: 3, targets: [11, 12], offset: 10)
    }
    let expected: [Float] = [0.25, 0.25 - 1 / 3, 0.5 - 2 / 3]
    for (value, want) in zip(scores, expected) { #expect(abs(value - want) < 1e-6) }
    // One target: the ordinary cross-entropy gradient p − onehot.
    var single: [Float] = [0, 0, logf(2)]
    single.withUnsafeMutableBufferPointer { buffer in
      UpdateTrainer.softmaxGradient(buffer.baseAddress!, count: 3, targets: [2], offset: 0)
    }
    #expect(abs(single[2] - (0.5 - 1)) < 1e-6 && abs(single[0] - 0.25) < 1e-6)
  }

  @Test func memorySurvivesSavingAndLoading() throws {
    let model = try LearnFixture.trainedModel(method: .local, memorySize: 5)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("learn-\(UUID()).arbor").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path)
    let loaded = try HierarchicalClassifier.load(from: path)
    #expect(loaded.memory.count == 5)
    #expect(loaded.memory.paths == model.memory.paths)
    #expect(loaded.memory.rows.columns == model.memory.rows.columns)
    #expect(loaded.memory.rows.values == model.memory.rows.values)
    #expect(loaded.configuration.memorySize == 5)
  }
}

@Suite struct TaxonomyGrowthTests {
  @Test func acceptsAddedNodesAndNamesThem() throws {
    let old = try LearnFixture.taxonomy(LearnFixture.cutNodes)
    let grown = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    let growth = try TaxonomyGrowth(old: old, grown: grown, allowMoves: false, source: "g.json")
    #expect(Set(growth.addedNodes.map(grown.id)) == ["cat", "dog"])
    for node in old.indices { #expect(grown.id(growth.newIndexOfOld[node]) == old.id(node)) }
  }

  @Test func aNewTopLevelNodeAboveARealRootKeepsTheOldNodes() throws {
    // "root" is a real node of the old taxonomy; a second top-level node makes the grown one's root
    // synthetic, and "root" becomes an ordinary node under it, with its children unmoved.
    let model = try LearnFixture.trainedModel(method: .local)
    let grown = try LearnFixture.taxonomy(LearnFixture.cutNodes + [("mineral", [])])
    #expect(grown.hasSyntheticRoot)
    let growth = try TaxonomyGrowth(old: model.taxonomy, grown: grown, allowMoves: false, source: nil)
    #expect(grown.id(growth.newIndexOfOld[model.taxonomy.root]) == "root")
    #expect(growth.movedNodes.isEmpty)
    let new = LearnFixture.documents(classes: ["tree"], count: 3, coarseAnimals: false, prefix: "n")
    let updated = try model.learning(new, taxonomy: grown, settings: ModelUpdateSettings()).model
    let prediction = try updated.predict(["petals in bloom"])[0]
    let got = prediction.paths[0].map(grown.id)
    #expect(got == ["root", "plant", "flower"], "\(got) \(prediction)")
  }

  @Test func refusesDroppedNodesNamingThem() throws {
    let old = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    let cut = try LearnFixture.taxonomy(LearnFixture.cutNodes)
    let error = #expect(throws: TaxonomyError.self) {
      try TaxonomyGrowth(old: old, grown: cut, allowMoves: true, source: "g.json")
    }
    let text = error?.description ?? ""
    #expect(text.contains("g.json") && text.contains("drops 2 node(s)"))
    #expect(text.contains("'cat'") && text.contains("'dog'"))
  }

  @Test func refusesMovesUnlessAllowed() throws {
    let old = try LearnFixture.taxonomy(LearnFixture.grownNodes)
    // "dog" moved under "plant".
    let moved = try LearnFixture.taxonomy(
      LearnFixture.grownNodes.map { $0.0 == "dog" ? ("dog", ["plant"]) : $0 })
    let error = #expect(throws: TaxonomyError.self) {
      try TaxonomyGrowth(old: old, grown: moved, allowMoves: false, source: "g.json")
    }
    let text = error?.description ?? ""
    #expect(text.contains("'dog'") && text.contains("was under animal") && text.contains("now under plant"))
    #expect(text.contains("--allow-moves"))
    let growth = try TaxonomyGrowth(old: old, grown: moved, allowMoves: true, source: "g.json")
    #expect(growth.movedNodes.map(old.id) == ["dog"])
  }

  @Test func learningUnderAllowedMovesFollowsTheNewParent() throws {
    let model = try LearnFixture.trainedModel(method: .local)
    // flower moved from plant to animal: the local model's edge animal→flower is new.
    let moved = try LearnFixture.taxonomy(
      LearnFixture.cutNodes.map { $0.0 == "flower" ? ("flower", ["animal"]) : $0 })
    var settings = ModelUpdateSettings()
    settings.allowMoves = true
    settings.learningRate = 0.25  // four toy documents (see multiPathModelsGrowToo)
    let new = LearnFixture.documents(classes: ["flower"], count: 4, coarseAnimals: false, prefix: "n").map {
      LabelledDocument(id: $0.id, text: $0.text, labels: ["flower"])
    }
    let (updated, summary) = try model.learning(new, taxonomy: moved, settings: settings)
    #expect(summary.movedNodeIDs == ["flower"])
    #expect(try paths(updated, ["petals in bloom"]) == [["animal", "flower"]])
  }

  func paths(_ model: HierarchicalClassifier, _ texts: [String]) throws -> [[String]] {
    try model.predict(texts).map { $0.paths[0].map(model.taxonomy.id) }
  }
}

@Suite struct LearningRecordsTests {
  let taxonomy: Taxonomy

  init() throws { taxonomy = try LearnFixture.taxonomy(LearnFixture.grownNodes) }

  @Test func unknownLabelIsAnErrorNamingFileLineRecordAndLabel() throws {
    let text = """
      {"id": "a", "text": "meows", "labels": ["cat"]}

      {"id": "b", "text": "moos", "labels": ["cow"]}
      """
    let error = #expect(throws: TaxonomyError.self) {
      try LearningRecords.parse(Array(text.utf8), file: "new.jsonl", taxonomy: taxonomy, skipUnknown: false)
    }
    let message = error?.description ?? ""
    #expect(message.contains("new.jsonl:3:") && message.contains("'b'") && message.contains("'cow'"))
  }

  @Test func skipUnknownCountsAndKeepsTheRest() throws {
    let text = """
      {"id": "a", "text": "meows", "labels": ["cat"]}
      {"id": "b", "text": "moos", "labels": ["cow"]}
      {"id": "c", "text": "oinks", "labels": ["pig", "animal"]}
      """
    let records = try LearningRecords.parse(
      Array(text.utf8), file: "new.jsonl", taxonomy: taxonomy, skipUnknown: true)
    #expect(records.documents.map(\.id) == ["a"])
    #expect(records.skippedCount == 2)
    #expect(records.skippedLabels == ["cow", "pig"])
  }

  @Test func missingLabelsAndDuplicateIDsAreErrors() throws {
    let text = """
      {"id": "a", "text": "meows"}
      {"id": "c", "text": "x", "labels": ["cat"]}
      {"id": "c", "text": "y", "labels": ["dog"]}
      """
    let error = #expect(throws: TaxonomyError.self) {
      try LearningRecords.parse(Array(text.utf8), file: "new.jsonl", taxonomy: taxonomy, skipUnknown: true)
    }
    let message = error?.description ?? ""
    #expect(message.contains("new.jsonl:1:") && message.contains("labels"))
    #expect(message.contains("new.jsonl:3:") && message.contains("duplicate"))
  }
}

@Suite struct LogitAdjustmentTests {
  @Test func bothReferencesMatchHandComputedOffsets() throws {
    let taxonomy = try LearnFixture.taxonomy(LearnFixture.cutNodes)
    let nodes = ["animal", "tree", "flower"].map { taxonomy.index(of: $0)! }
    let layout = OutputLayout.flat(taxonomy, nodes: nodes, multiPath: false)
    var seen = [Float](repeating: 0, count: taxonomy.count)
    for (node, count) in zip(nodes, [Float(4), 1, 10]) { seen[node] = count }
    let all = 0..<Int32(3)
    let new: [UpdateExample] = [
      .softmax(row: 0, range: all, targets: [0]), .softmax(row: 1, range: all, targets: [0]),
    ]
    let schedule = new + [.softmax(row: 2, range: all, targets: [1])]
    // Stream: targets (2, 1, 0) against seen (4, 1, 10), counts floored at 1/2:
    // (ln 2 − ln 4, ln 1 − ln 1, ln 0.5 − ln 10).
    let stream = UpdateTrainer.logitAdjustment(
      .stream, schedule: schedule, newExamples: new, newDocumentCount: 2, layout: layout, taxonomy: taxonomy,
      seenCounts: seen, tau: 1)
    for (value, want) in zip(stream, [log(0.5), 0, log(0.05)]) { #expect(abs(Double(value) - want) < 1e-5) }
    // New documents: output 0 holds 2 of its 4 seen documents, against 2 of all 15: ln(0.5 / (2/15)).
    let fresh = UpdateTrainer.logitAdjustment(
      .newDocuments, schedule: schedule, newExamples: new, newDocumentCount: 2, layout: layout,
      taxonomy: taxonomy, seenCounts: seen, tau: 1)
    for (value, want) in zip(fresh, [log(3.75), 0, 0]) { #expect(abs(Double(value) - want) < 1e-5) }
    // τ scales; τ = 0 turns the adjustment off.
    let doubled = UpdateTrainer.logitAdjustment(
      .stream, schedule: schedule, newExamples: new, newDocumentCount: 2, layout: layout, taxonomy: taxonomy,
      seenCounts: seen, tau: 2)
    #expect(abs(doubled[0] - 2 * stream[0]) < 1e-5)
    #expect(
      UpdateTrainer.logitAdjustment(
        .stream, schedule: schedule, newExamples: new, newDocumentCount: 2, layout: layout,
        taxonomy: taxonomy,
        seenCounts: seen, tau: 0
      ).isEmpty)
  }
}
