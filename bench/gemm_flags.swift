// The packed 6x16 GEMM micro-kernel of Sources/SQCodec/Kernels/Kernels+GEMM.swift, alone, for
// bench/gemm_flags.sh: the same source compiled for baseline x86-64 (separate multiply and add;
// SSE2) and for Haswell (-target-cpu haswell -D FUSED: AVX2 + FMA). Prints GFLOP/s, best of 5,
// for m = 1536, k = 384, n = 1024 (a 384 -> 1536 point-wise layer over 1024 frames).
import Foundation

@inline(__always) func fma(_ acc: SIMD8<Float>, _ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
    #if FUSED
    acc.addingProduct(x, y)
    #else
    acc + x * y
    #endif
}
#if FUSED
let label = "AVX2 + FMA (-target-cpu haswell)"
#else
let label = "baseline x86-64 (SSE2)"
#endif

typealias V = SIMD8<Float>

// packed: B panel of width 16 (kc rows), A rows direct (broadcast). MR = 6, NR = 16.
@inline(never)
func gemmPacked(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, pack: UnsafeMutablePointer<Float>) {
    let lda = k, ldb = n, ldc = n
    let kc = 256
    var p0 = 0
    while p0 < k {
        let kb = min(kc, k - p0)
        var j = 0
        while j + 16 <= n {
            // pack B[p0..<p0+kb, j..<j+16]
            for p in 0..<kb {
                let src = b + (p0 + p) * ldb + j
                let dst = pack + p * 16
                UnsafeMutableRawPointer(dst).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: V.self), as: V.self)
                UnsafeMutableRawPointer(dst + 8).storeBytes(of: UnsafeRawPointer(src + 8).loadUnaligned(as: V.self), as: V.self)
            }
            var i = 0
            while i + 6 <= m {
                let ap = a + i * lda + p0
                let cp = c + i * ldc + j
                var c00 = UnsafeRawPointer(cp).loadUnaligned(as: V.self), c01 = UnsafeRawPointer(cp + 8).loadUnaligned(as: V.self)
                var c10 = UnsafeRawPointer(cp + ldc).loadUnaligned(as: V.self), c11 = UnsafeRawPointer(cp + ldc + 8).loadUnaligned(as: V.self)
                var c20 = UnsafeRawPointer(cp + 2*ldc).loadUnaligned(as: V.self), c21 = UnsafeRawPointer(cp + 2*ldc + 8).loadUnaligned(as: V.self)
                var c30 = UnsafeRawPointer(cp + 3*ldc).loadUnaligned(as: V.self), c31 = UnsafeRawPointer(cp + 3*ldc + 8).loadUnaligned(as: V.self)
                var c40 = UnsafeRawPointer(cp + 4*ldc).loadUnaligned(as: V.self), c41 = UnsafeRawPointer(cp + 4*ldc + 8).loadUnaligned(as: V.self)
                var c50 = UnsafeRawPointer(cp + 5*ldc).loadUnaligned(as: V.self), c51 = UnsafeRawPointer(cp + 5*ldc + 8).loadUnaligned(as: V.self)
                var bp = UnsafeRawPointer(pack)
                for p in 0..<kb {
                    let b0 = bp.load(as: V.self), b1 = bp.load(fromByteOffset: 32, as: V.self)
                    var x = V(repeating: ap[p])
                    c00 = fma(c00, x, b0); c01 = fma(c01, x, b1)
                    x = V(repeating: ap[lda + p])
                    c10 = fma(c10, x, b0); c11 = fma(c11, x, b1)
                    x = V(repeating: ap[2*lda + p])
                    c20 = fma(c20, x, b0); c21 = fma(c21, x, b1)
                    x = V(repeating: ap[3*lda + p])
                    c30 = fma(c30, x, b0); c31 = fma(c31, x, b1)
                    x = V(repeating: ap[4*lda + p])
                    c40 = fma(c40, x, b0); c41 = fma(c41, x, b1)
                    x = V(repeating: ap[5*lda + p])
                    c50 = fma(c50, x, b0); c51 = fma(c51, x, b1)
                    bp += 64
                }
                let o = UnsafeMutableRawPointer(cp)
                o.storeBytes(of: c00, as: V.self); o.storeBytes(of: c01, toByteOffset: 32, as: V.self)
                o.storeBytes(of: c10, toByteOffset: 4*ldc, as: V.self); o.storeBytes(of: c11, toByteOffset: 4*ldc+32, as: V.self)
                o.storeBytes(of: c20, toByteOffset: 8*ldc, as: V.self); o.storeBytes(of: c21, toByteOffset: 8*ldc+32, as: V.self)
                o.storeBytes(of: c30, toByteOffset: 12*ldc, as: V.self); o.storeBytes(of: c31, toByteOffset: 12*ldc+32, as: V.self)
                o.storeBytes(of: c40, toByteOffset: 16*ldc, as: V.self); o.storeBytes(of: c41, toByteOffset: 16*ldc+32, as: V.self)
                o.storeBytes(of: c50, toByteOffset: 20*ldc, as: V.self); o.storeBytes(of: c51, toByteOffset: 20*ldc+32, as: V.self)
                i += 6
            }
            j += 16
        }
        p0 += kb
    }
}

let m = 1536, k = 384, n = 1024
var A = [Float](repeating: 0, count: m*k), B = [Float](repeating: 0, count: k*n)
var s: UInt32 = 1
for i in 0..<A.count { s = s &* 1664525 &+ 1013904223; A[i] = Float(s >> 8) / Float(1<<24) - 0.5 }
for i in 0..<B.count { s = s &* 1664525 &+ 1013904223; B[i] = Float(s >> 8) / Float(1<<24) - 0.5 }
var C2 = [Float](repeating: 0, count: m*n)
let pack = UnsafeMutablePointer<Float>.allocate(capacity: 256*16)
func time(_ name: String, _ f: () -> Void) {
    var best = 1e9
    for _ in 0..<5 { let t0 = Date(); f(); best = min(best, Date().timeIntervalSince(t0)) }
    print(name, String(format: "%.2f GFLOP/s", 2.0*Double(m*n*k)/best/1e9))
}
A.withUnsafeBufferPointer { a in B.withUnsafeBufferPointer { b in
  C2.withUnsafeMutableBufferPointer { c in time(label) { gemmPacked(m: m, n: n, k: k, a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!, pack: pack) } }
}}
