import ArborTensor
import Foundation
import Testing

/// Forward values checked against independent references: closed forms in Double, hand-computed
/// numbers and a naive matrix product.
@Suite struct NumericValueTests {
  private func forward(_ input: Tensor, _ body: (Variable) -> Variable) -> Tensor {
    let tape = Tape()
    return body(tape.constant(input)).value
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func sgemmMatchesNaiveTripleLoop(transposes: (Bool, Bool)) {
    let (ta, tb) = transposes
    let (m, k, n) = (7, 5, 6)
    let a = randomTensor(ta ? [k, m] : [m, k], seed: 1)
    let b = randomTensor(tb ? [n, k] : [k, n], seed: 2)
    let product = a.matmul(b, transposeSelf: ta, transposeOther: tb)
    #expect(product.shape == [m, n])
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        for p in 0..<k {
          let left = ta ? a[p, i] : a[i, p]
          let right = tb ? b[j, p] : b[p, j]
          sum += Double(left) * Double(right)
        }
        #expect(abs(Double(product[i, j]) - sum) < 1e-5)
      }
    }
    let vector = randomTensor([k], seed: 3).storage
    let matvec = a.matvec(vector, transposeSelf: ta)
    for row in 0..<m {
      var sum = 0.0
      for p in 0..<vector.count { sum += Double(ta ? a[p, row] : a[row, p]) * Double(vector[p]) }
      #expect(abs(Double(matvec[row]) - sum) < 1e-5)
    }
  }

  @Test func batchedMatmulMatchesPerItemProducts() {
    let a = randomTensor([3, 4, 2], seed: 41)
    let b = randomTensor([3, 5, 2], seed: 42)
    let tape = Tape()
    let product = tape.constant(a).batchedMatmul(tape.constant(b), transposeOther: true).value
    #expect(product.shape == [3, 4, 5])
    for item in 0..<3 {
      for i in 0..<4 {
        for j in 0..<5 {
          var sum = 0.0
          for p in 0..<2 {
            sum += Double(a.storage[item * 8 + i * 2 + p]) * Double(b.storage[item * 10 + j * 2 + p])
          }
          #expect(abs(Double(product.storage[item * 20 + i * 5 + j]) - sum) < 1e-5)
        }
      }
    }
    // An empty result still gives zero gradients to non-empty operands.
    let x = tape.constant(randomTensor([2, 3, 4], seed: 43), needsGradient: true)
    let y = tape.constant(Tensor(zeros: [2, 4, 0]), needsGradient: true)
    let empty = x.batchedMatmul(y)
    #expect(empty.shape == [2, 3, 0])
    tape.backward(empty, seed: Tensor(zeros: [2, 3, 0]))
    #expect(tape.gradient(of: x) == Tensor(zeros: [2, 3, 4]))
  }

  @Test func blasThreadCountCanBeSet() {
    let previous = blasThreads()
    setBLASThreads(1)
    #expect(blasThreads() == 1)
    setBLASThreads(previous)
    #expect(blasThreads() == previous)
  }

  @Test func emptyDimensionsInMatrixProducts() {
    #expect(Tensor(zeros: [2, 0]).matmul(Tensor(zeros: [0, 3])) == Tensor(zeros: [2, 3]))
    // Output [2, 0]: the gradient of the left operand comes from an empty inner dimension and must
    // be all zeros even though its buffer starts uninitialized.
    let tape = Tape()
    let a = tape.constant(randomTensor([2, 3], seed: 1), needsGradient: true)
    let b = tape.constant(Tensor(zeros: [3, 0]), needsGradient: true)
    let product = a.matmul(b)
    #expect(product.shape == [2, 0])
    tape.backward(product, seed: Tensor(zeros: [2, 0]))
    #expect(tape.gradient(of: a) == Tensor(zeros: [2, 3]))
    #expect(tape.gradient(of: b) == Tensor(zeros: [3, 0]))
  }

  @Test func geluMatchesErfClosedFormInDouble() {
    // Eleven values: one full group of eight lanes and a partial one.
    let xs: [Float] = [-6, -3, -1.5, -0.5, -1e-3, 0, 0.25, 1, 2.5, 5, 9]
    let y = forward(Tensor(shape: [xs.count], storage: xs)) { $0.gelu() }
    for (x, value) in zip(xs, y.storage) {
      let reference = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
      #expect(abs(Double(value) - reference) <= 1e-12 + 5e-6 * abs(reference), "gelu(\(x))")
    }
    #expect(forward(Tensor(zeros: [0])) { $0.gelu() }.count == 0)
  }

  @Test func activationsMatchClosedForms() {
    let xs: [Float] = [-20, -2, -0.3, 0, 0.7, 3, 20]
    let input = Tensor(shape: [xs.count], storage: xs)
    let sigmoid = forward(input) { $0.sigmoid() }
    let tanh = forward(input) { $0.tanh() }
    let relu = forward(input) { $0.relu() }
    for (index, x) in xs.enumerated() {
      #expect(abs(Double(sigmoid.storage[index]) - 1 / (1 + exp(-Double(x)))) < 1e-7)
      #expect(abs(Double(tanh.storage[index]) - Foundation.tanh(Double(x))) < 1e-6)
      #expect(relu.storage[index] == max(x, 0))
    }
  }

  @Test func softmaxOfOneTwoThree() {
    // e^k / (e + e² + e³) for k = 1, 2, 3.
    let expected: [Float] = [0.090_030_57, 0.244_728_47, 0.665_240_96]
    let y = forward(Tensor(shape: [1, 3], storage: [1, 2, 3])) { $0.softmax() }
    for (value, reference) in zip(y.storage, expected) { #expect(abs(value - reference) < 1e-6) }
    let logY = forward(Tensor(shape: [1, 3], storage: [1, 2, 3])) { $0.logSoftmax() }
    for (value, reference) in zip(logY.storage, expected) {
      #expect(abs(value - Float(log(Double(reference)))) < 1e-5)
    }
    // Along axis 0 of a 2 × 2 matrix, each column is normalised; shifting by 1000 must not overflow.
    let columns = forward(Tensor(rows: [[1000, 0], [1001, 0]])) { $0.softmax(axis: 0) }
    let a = Float(1 / (1 + M_E))
    #expect(abs(columns[0, 0] - a) < 1e-6 && abs(columns[1, 0] - (1 - a)) < 1e-6)
    #expect(columns[0, 1] == 0.5 && columns[1, 1] == 0.5)
  }

  @Test func lossesMatchHandComputedValues() {
    // −log softmax([1, 2, 3])[2] = log(e + e² + e³) − 3.
    let ce = forward(Tensor(rows: [[1, 2, 3]])) { $0.crossEntropy(targets: [2]) }
    #expect(abs(ce.scalar - 0.407_605_96) < 1e-6)
    let ignored = forward(Tensor(rows: [[1, 2, 3], [5, 0, 0]])) {
      $0.crossEntropy(targets: [2, -1], ignoredTarget: -1)
    }
    #expect(abs(ignored.scalar - 0.407_605_96) < 1e-6)
    let soft = forward(Tensor(rows: [[1, 2, 3]])) {
      $0.crossEntropy(targetProbabilities: Tensor(rows: [[0, 0.5, 0.5]]))
    }
    #expect(abs(soft.scalar - Float(0.5 * 1.407_605_96 + 0.5 * 0.407_605_96)) < 1e-6)
    // BCE(x = 0, y = 1) = log 2; BCE(x = 2, y = 0) = 2 + log(1 + e^−2); BCE(x = −30, y = 1) = 30 + log(1 + e^−30).
    let bce = forward(Tensor(shape: [3], storage: [0, 2, -30])) {
      $0.binaryCrossEntropyWithLogits(targets: Tensor(shape: [3], storage: [1, 0, 1]))
    }
    let reference = (log(2.0) + 2 + log(1 + exp(-2.0)) + 30 + log(1 + exp(-30.0))) / 3
    #expect(abs(Double(bce.scalar) - reference) < 1e-5)
  }

  @Test func layerNormCosineAndBagsMatchHandComputedValues() {
    let tape = Tape()
    let x = tape.constant(Tensor(rows: [[1, 2, 3], [2, 2, 2]]))
    let gain = tape.constant(Tensor(shape: [3], storage: [1, 2, 1]))
    let bias = tape.constant(Tensor(shape: [3], storage: [0, 0, 1]))
    // Row 1: mean 2, biased variance 2/3, so x̂ = (−1, 0, 1)·√1.5; row 2 is constant, x̂ = 0.
    let y = x.layerNorm(gain: gain, bias: bias, epsilon: 0).value
    let r = Float(1.5.squareRoot())
    #expect(abs(y[0, 0] + r) < 1e-6 && y[0, 1] == 0 && abs(y[0, 2] - (r + 1)) < 1e-6)
    let constant = tape.constant(Tensor(rows: [[2, 2, 2]])).layerNorm(gain: gain, bias: bias).value
    #expect(constant.storage == [0, 0, 1])

    let a = tape.constant(Tensor(rows: [[1, 0], [3, 4], [0, 0]]))
    let b = tape.constant(Tensor(rows: [[1, 1], [-3, -4], [1, 2]]))
    let cosine = a.cosineSimilarity(b).value.storage
    #expect(
      abs(cosine[0] - Float(1 / 2.0.squareRoot())) < 1e-6 && abs(cosine[1] + 1) < 1e-6 && cosine[2] == 0)

    let table = tape.constant(Tensor(rows: [[1, 10], [2, 20], [3, 30]]))
    let mean = table.embeddingBag([0, 2, 1, 1, 1], offsets: [0, 2, 2], reduction: .mean).value
    #expect(mean == Tensor(rows: [[2, 20], [0, 0], [2, 20]]))
    let sum = table.embeddingBag([0, 2, 1, 1, 1], offsets: [0, 2, 2], reduction: .sum).value
    #expect(sum == Tensor(rows: [[4, 40], [0, 0], [6, 60]]))
    #expect(table.gatherRows([2, 0]).value == Tensor(rows: [[3, 30], [1, 10]]))
  }

  @Test func shapeOperations() {
    let tape = Tape()
    let x = tape.constant(Tensor(rows: [[1, 2, 3], [4, 5, 6]]))
    #expect(concat([x, x], axis: 1).value == Tensor(rows: [[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]))
    #expect(concat([x, x], axis: 0).value.shape == [4, 3])
    #expect(x.slice(axis: 1, 1..<3).value == Tensor(rows: [[2, 3], [5, 6]]))
    #expect(x.slice(axis: 0, 1..<2).value == Tensor(rows: [[4, 5, 6]]))
    #expect(x.sum().value == Tensor(scalar: 21))
    #expect(x.mean().value == Tensor(scalar: 3.5))
    #expect(x.sum(axis: 0).value == Tensor(shape: [3], storage: [5, 7, 9]))
    #expect(x.mean(axis: 1).value == Tensor(shape: [2], storage: [2, 5]))
    let bias = tape.constant(Tensor(shape: [3], storage: [10, 20, 30]))
    #expect((x + bias).value == Tensor(rows: [[11, 22, 33], [14, 25, 36]]))
    let column = tape.constant(Tensor(rows: [[2], [3]]))
    #expect((x * column).value == Tensor(rows: [[2, 4, 6], [12, 15, 18]]))
    #expect((x - column).value == Tensor(rows: [[-1, 0, 1], [1, 2, 3]]))
    #expect((x / column).value == Tensor(rows: [[0.5, 1, 1.5], [4 / 3, 5 / 3, 2]]))
    #expect(x.transposed().value == Tensor(rows: [[1, 4], [2, 5], [3, 6]]))
    #expect(x.squared().value == Tensor(rows: [[1, 4, 9], [16, 25, 36]]))
    #expect(x.squared().squareRoot().value == x.value)
    let logs = x.log().value.storage
    let exps = x.exp().value.storage
    for (index, element) in x.value.storage.enumerated() {
      #expect(abs(Double(logs[index]) - Foundation.log(Double(element))) < 1e-6)
      #expect(
        abs(Double(exps[index]) - Foundation.exp(Double(element))) <= 1e-6 * Foundation.exp(Double(element)))
    }
  }

  @Test func secondBackwardStartsFromZero() {
    let tape = Tape()
    let x = tape.constant(Tensor(shape: [2], storage: [1, 2]), needsGradient: true)
    let doubled = x.scaled(by: 2).sum()
    let tripled = x.scaled(by: 3).sum()
    tape.backward(doubled)
    #expect(tape.gradient(of: x)?.storage == [2, 2])
    tape.backward(tripled)
    #expect(tape.gradient(of: x)?.storage == [3, 3])
  }

  @Test func tapeDoesNotKeepItselfAlive() {
    weak var weakTape: Tape?
    do {
      let tape = Tape()
      weakTape = tape
      let x = tape.constant(randomTensor([3, 3], seed: 1), needsGradient: true)
      let loss = concat([x.matmul(x).gelu(), x], axis: 0).softmax().sum()
      tape.backward(loss)
    }
    #expect(weakTape == nil)
  }
}
