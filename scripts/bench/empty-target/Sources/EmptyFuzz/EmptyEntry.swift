@_cdecl("LLVMFuzzerTestOneInput")
public func emptyFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { 0 }
#if !FUZZING
@main struct EmptyMain { static func main() {} }
#endif
