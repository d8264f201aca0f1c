import Dispatch

/// Wraps a value whose sharing across threads the caller makes safe.
struct UncheckedSendable<Value>: @unchecked Sendable {
  var value: Value
}

/// A slot one worker fills and the caller reads after the join.
final class ResultBox<Value>: @unchecked Sendable {
  var value: Value?
}

/// Runs two closures at once on two threads and returns both results.
///
/// Both run to completion before this returns; they must not share mutable state.
package func inParallel<A, B>(_ first: () -> A, _ second: () -> B) -> (A, B) {
  let a = ResultBox<A>()
  let b = ResultBox<B>()
  withoutActuallyEscaping(first) { first in
    withoutActuallyEscaping(second) { second in
      let work = UncheckedSendable(value: (first, second))
      DispatchQueue.concurrentPerform(iterations: 2) { i in
        if i == 0 { a.value = work.value.0() } else { b.value = work.value.1() }
      }
    }
  }
  // Both slots are filled: concurrentPerform returns after both iterations.
  return (a.value!, b.value!)
}
