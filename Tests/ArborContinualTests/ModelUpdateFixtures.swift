import ArborClassify
import ArborTree

/// Hand-made tiny corpora for `arbor learn`: each class has its own words, so the right answer is obvious.
enum LearnFixture {
  /// A taxonomy from `(id, parents)` pairs; the first node is the root.
  static func taxonomy(_ nodes: [(String, [String])]) throws -> Taxonomy {
    let items = nodes.map { id, parents in
      "{\"id\": \"\(id)\", \"label\": \"\(id)\", \"parents\": [\(parents.map { "\"\($0)\"" }.joined(separator: ", "))]}"
    }
    let text =
      "{\"format\": \"arbor-taxonomy\", \"version\": 1, \"nodes\": [\(items.joined(separator: ", "))]}"
    return try Taxonomy.parse(Array(text.utf8), format: .json, file: "fixture.json")
  }

  /// root → animal → {cat, dog}, root → plant → {tree, flower}.
  static let grownNodes: [(String, [String])] = [
    ("root", []), ("animal", ["root"]), ("plant", ["root"]), ("cat", ["animal"]), ("dog", ["animal"]),
    ("tree", ["plant"]), ("flower", ["plant"]),
  ]

  /// The same without animal's children: the taxonomy the first model knows.
  static var cutNodes: [(String, [String])] { grownNodes.filter { $0.0 != "cat" && $0.0 != "dog" } }

  /// Words that give each class away.
  static let words = [
    "cat": "whiskers meows purrs", "dog": "barks wags fetches", "tree": "bark trunk leaves",
    "flower": "petals bloom pollen",
  ]

  /// `count` documents per class; animals labelled at `animal` only when `coarseAnimals`.
  static func documents(
    classes: [String], count: Int, coarseAnimals: Bool, prefix: String = "d"
  ) -> [LabelledDocument] {
    var result: [LabelledDocument] = []
    for name in classes {
      let parent = name == "cat" || name == "dog" ? "animal" : "plant"
      let labels = coarseAnimals && parent == "animal" ? [parent] : [parent, name]
      for i in 0..<count {
        result.append(
          LabelledDocument(
            id: "\(prefix)-\(name)-\(i)", text: "\(words[name]!) \(parent) creature number \(i % 3)",
            labels: labels))
      }
    }
    return result
  }

  /// A model trained on the cut taxonomy: animals seen coarsely, plants finely.
  static func trainedModel(method: ClassifierMethod, memorySize: Int = 2000) throws -> HierarchicalClassifier
  {
    var settings = ClassifierConfiguration()
    settings.method = method
    settings.minimumDocumentFrequency = 1
    settings.epochs = 20
    settings.memorySize = memorySize
    return try HierarchicalClassifier.train(
      taxonomy: try taxonomy(cutNodes),
      documents: documents(classes: ["cat", "dog", "tree", "flower"], count: 6, coarseAnimals: true),
      configuration: settings)
  }
}
