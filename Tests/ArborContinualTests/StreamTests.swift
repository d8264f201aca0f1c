import ArborClassify
import ArborTree
import Foundation
import Testing

@testable import ArborContinual

@Suite struct StreamTests {
  @Test func multiDepthShowsEachDocumentOnceAtItsTasksLevel() throws {
    let tree = try smallTaxonomy()
    let docs = documents(30, taxonomy: tree)
    let stream = try StreamBuilder.build(
      documents: docs, taxonomy: tree, options: StreamOptions(scenario: .multiDepth, seed: 7))
    #expect(stream.count == 30)
    #expect(Set(stream.map(\.id)).count == 30)
    #expect(stream.map(\.task) == stream.map(\.task).sorted())
    for t in 1...3 { #expect(stream.filter { $0.task == t }.count == 10) }
    for record in stream {
      #expect(record.level == record.task)
      #expect(tree.depth(of: record.label) == record.level)
      // The label is the document's own class at that level.
      let doc = try #require(docs.first { $0.id == record.id })
      #expect(doc.labels.contains(tree.id(record.label)))
    }
    // The order is shuffled, not the corpus order.
    #expect(stream.map(\.id) != docs.map(\.id))
  }

  @Test func sameSeedSameStreamOtherSeedOtherStream() throws {
    let tree = try smallTaxonomy()
    let docs = documents(40, taxonomy: tree)
    for scenario in StreamScenario.allCases {
      let a = try StreamBuilder.build(
        documents: docs, taxonomy: tree, options: StreamOptions(scenario: scenario, seed: 3, blurry: 0.2))
      let b = try StreamBuilder.build(
        documents: docs, taxonomy: tree, options: StreamOptions(scenario: scenario, seed: 3, blurry: 0.2))
      let c = try StreamBuilder.build(
        documents: docs, taxonomy: tree, options: StreamOptions(scenario: scenario, seed: 4, blurry: 0.2))
      #expect(a == b)
      #expect(a != c)
    }
  }

  @Test func singleDepthRevealsFineClassesInGroups() throws {
    let tree = try smallTaxonomy()
    let docs = documents(60, taxonomy: tree)
    let stream = try StreamBuilder.build(
      documents: docs, taxonomy: tree, options: StreamOptions(scenario: .singleDepth, seed: 1, fineTasks: 2))
    #expect(stream.count == 60)
    #expect(Set(stream.map(\.id)).count == 60)
    // 60 / (2 + 1) = 20 coarse records first.
    #expect(stream.filter { $0.task == 1 }.count == 20)
    #expect(stream.filter { $0.task == 1 }.allSatisfy { $0.level == 1 })
    #expect(stream.filter { $0.task > 1 }.allSatisfy { $0.level == 3 })
    // Each fine class lives in exactly one fine task, and the five are dealt 3 + 2.
    var taskOf: [Int: Set<Int>] = [:]
    for record in stream where record.task > 1 { taskOf[record.label, default: []].insert(record.task) }
    #expect(taskOf.values.allSatisfy { $0.count == 1 })
    let perTask = Dictionary(grouping: taskOf.keys, by: { taskOf[$0]?.first ?? 0 }).mapValues(\.count)
    #expect(perTask.values.sorted() == [2, 3])
  }

  @Test func dualLabelDocumentsReappearWithTheirFineLabel() throws {
    let tree = try smallTaxonomy()
    let docs = documents(60, taxonomy: tree)
    let stream = try StreamBuilder.build(
      documents: docs, taxonomy: tree, options: StreamOptions(scenario: .dualLabel, seed: 1, fineTasks: 2))
    let coarse = stream.filter { $0.task == 1 }
    #expect(coarse.count == 20)
    #expect(stream.count == 80)
    for record in coarse {
      let later = stream.filter { $0.id == record.id && $0.task > 1 }
      #expect(later.count == 1)
      if let fine = later.first {
        #expect(fine.level == 3)
        #expect(tree.ancestors(of: fine.label).contains(record.label))
      }
    }
  }

  @Test func blurryMovesAboutTheGivenShareToOtherTasks() throws {
    let tree = try smallTaxonomy()
    let docs = documents(3000, taxonomy: tree)
    let stream = try StreamBuilder.build(
      documents: docs, taxonomy: tree, options: StreamOptions(scenario: .multiDepth, seed: 5, blurry: 0.3))
    #expect(stream.count == 3000)
    #expect(stream.map(\.task) == stream.map(\.task).sorted())
    let moved = stream.filter { $0.level != $0.task }.count
    // Binomial(3000, 0.3): mean 900, sd 25.
    #expect(abs(moved - 900) < 125)
  }

  @Test func imbalanceFollowsTheExponentialProfile() throws {
    let tree = try smallTaxonomy()
    let docs = documents(5000, taxonomy: tree)
    let stream = try StreamBuilder.build(
      documents: docs, taxonomy: tree,
      options: StreamOptions(scenario: .dualLabel, seed: 2, imbalance: 10, fineTasks: 1))
    let fine = Dictionary(grouping: stream.filter { $0.level == 3 }, by: \.label).mapValues(\.count)
    // Dual-label: every document reappears finely, so five fine classes of 1,000 records keep
    // 1000 · 10^(−k/4), k = 0…4: 1000, 562, 316, 178, 100.
    #expect(fine.values.sorted() == [100, 178, 316, 562, 1000])
  }

  @Test func streamFilesRoundTripAndBadRecordsNameLineAndField() throws {
    let tree = try smallTaxonomy()
    let stream = try StreamBuilder.build(
      documents: documents(12, taxonomy: tree), taxonomy: tree, options: StreamOptions(scenario: .multiDepth))
    let text = StreamFile.encode(stream, taxonomy: tree)
    #expect(try StreamFile.parse(Array(text.utf8), file: "s.jsonl", taxonomy: tree) == stream)
    let bad: [(String, String)] = [
      ("{\"id\":\"x\",\"text\":\"t\",\"label\":\"Z\",\"level\":1,\"task\":1}", "\"label\""),
      ("{\"id\":\"x\",\"text\":\"t\",\"label\":\"A1\",\"level\":1,\"task\":1}", "\"level\""),
      ("{\"id\":\"x\",\"text\":\"t\",\"label\":\"A\",\"level\":1,\"task\":0}", "\"task\""),
      ("{\"id\":\"x\",\"label\":\"A\",\"level\":1,\"task\":1}", "\"text\""),
      ("[1]", "JSON object"),
    ]
    for (line, field) in bad {
      let input = text + line + "\n"
      do {
        _ = try StreamFile.parse(Array(input.utf8), file: "s.jsonl", taxonomy: tree)
        Issue.record("accepted \(line)")
      } catch {
        #expect(error.description.contains("s.jsonl:13"), "\(error)")
        #expect(error.description.contains(field), "\(error)")
      }
    }
  }
}
