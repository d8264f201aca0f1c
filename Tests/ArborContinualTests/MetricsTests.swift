import Testing

@testable import ArborContinual

@Suite struct MetricsTests {
  /// Two levels, two tasks, five evaluation points; values chosen by hand.
  ///
  /// level 1: 0.5, 0.7 (end of task 1), 0.6, 0.8, 0.9 (end of task 2)
  /// level 2: —,   —,                    0.2, 0.4, 0.6
  /// per class at level 1, end of task 1: a 0.8, b 0.6; end of task 2: a 0.5, b 0.9.
  static let points: [EvaluationPoint] = [
    EvaluationPoint(
      samples: 100, task: 1, isTaskEnd: false, accuracy: [0.5, nil], classAccuracy: [[:], [:]]),
    EvaluationPoint(
      samples: 200, task: 1, isTaskEnd: true, accuracy: [0.7, nil], classAccuracy: [[1: 0.8, 2: 0.6], [:]]),
    EvaluationPoint(
      samples: 300, task: 2, isTaskEnd: false, accuracy: [0.6, 0.2], classAccuracy: [[:], [7: 0.2]]),
    EvaluationPoint(
      samples: 400, task: 2, isTaskEnd: false, accuracy: [0.8, 0.4], classAccuracy: [[:], [7: 0.4]]),
    EvaluationPoint(
      samples: 500, task: 2, isTaskEnd: true, accuracy: [0.9, 0.6],
      classAccuracy: [[1: 0.5, 2: 0.9], [7: 0.6]]),
  ]

  @Test func levelOneByHand() {
    let m = AnytimeMetrics.level(0, points: Self.points)
    #expect(abs((m.anytime ?? 0) - 0.70) < 1e-12)  // (0.5 + 0.7 + 0.6 + 0.8 + 0.9) / 5
    #expect(abs((m.average ?? 0) - 0.80) < 1e-12)  // (0.7 + 0.9) / 2
    #expect(m.last == 0.9)
    // Class a dropped 0.8 → 0.5 (0.3), class b rose 0.6 → 0.9 (−0.3): mean 0.
    #expect(abs(m.forgetting ?? 1) < 1e-12)
  }

  @Test func levelTwoCountsOnlyPointsWhereItIsExposed() {
    let m = AnytimeMetrics.level(1, points: Self.points)
    #expect(abs((m.anytime ?? 0) - 0.4) < 1e-12)  // (0.2 + 0.4 + 0.6) / 3
    #expect(m.average == 0.6)  // only the second task's end sees level 2
    #expect(m.last == 0.6)
    #expect(m.forgetting == 0)  // no level-2 class existed before the last task
  }

  @Test func forgettingIsTheMeanDropFromTheBestEarlierTaskEnd() {
    var points = Self.points
    points.insert(
      EvaluationPoint(
        samples: 250, task: 2, isTaskEnd: true, accuracy: [0.65, nil],
        classAccuracy: [[1: 0.9, 2: 0.4], [:]]),
      at: 2)
    let m = AnytimeMetrics.level(0, points: points)
    // Class a: best earlier 0.9, final 0.5 → 0.4; class b: best earlier 0.6, final 0.9 → −0.3. Mean 0.05.
    #expect(abs((m.forgetting ?? 0) - 0.05) < 1e-12)
  }
}
