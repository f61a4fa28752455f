import SQCodec
import TQAudio
import TurboQuant

/// How the CLI words a library error. The libraries state facts ("bits per sample must be
/// 1...8, got 9"); where an option of ours changes the outcome, the message names it instead
/// ("--bits must be 1...8, got 9") or adds it as a hint ("…; pass --force to replace it").
/// Every place that prints an error goes through `message(_:)`.
enum Advice {
    static func message(_ error: any Error) -> String {
        switch error {
        case TurboError.bitsOutOfRange(let bits, let range):
            "--bits must be \(range.lowerBound)...\(range.upperBound), got \(bits)"
        case TurboError.invalidBlockSize(let size, let range):
            "--block must be a power of two in \(range.lowerBound)...\(range.upperBound), got \(size)"
        case FileError.exists, WAVError.file(.exists):
            "\(error); pass --force to replace it"
        case CheckpointError.unexpectedTensor, CheckpointError.shapeMismatch:
            "\(error) (wrong --model?)"
        default:
            String(describing: error)
        }
    }
}
