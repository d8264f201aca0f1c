#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Thin wrappers over the C math library so that files need not import it.

@inline(__always) func logDouble(_ x: Double) -> Double { log(x) }
@inline(__always) func sinDouble(_ x: Double) -> Double { sin(x) }
@inline(__always) func cosDouble(_ x: Double) -> Double { cos(x) }
@inline(__always) func expFloat(_ x: Float) -> Float { expf(x) }
@inline(__always) func logFloat(_ x: Float) -> Float { logf(x) }
@inline(__always) func log1pFloat(_ x: Float) -> Float { log1pf(x) }
@inline(__always) func tanhFloat(_ x: Float) -> Float { tanhf(x) }
@inline(__always) func powDouble(_ x: Double, _ y: Double) -> Double { pow(x, y) }
