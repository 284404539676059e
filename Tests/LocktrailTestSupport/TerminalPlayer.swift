import Foundation

/// Plays the user's terminal for a command, with python's `pty` module: the command's output
/// goes to a pseudo-terminal, read until it closes and printed on the player's stdout; the
/// player exits with the command's status. Options: stdin from a pipe holding `input`, stdout
/// or stderr sent to a file, and a reply typed when a prompt appears. A command still running
/// after 20 s is killed with its whole session and the status is 124, so a hang fails a test
/// instead of hanging the run.
public enum TerminalPlayer {
    static let script = """
        import os, pty, select, signal, sys, time
        text, errpath, outpath, prompt, reply = sys.argv[1:6]
        r = -1
        if text:
            r, w = os.pipe()
            os.write(w, text.encode()); os.close(w)
        pid, fd = pty.fork()
        if pid == 0:
            if r >= 0: os.dup2(r, 0)
            if errpath: os.dup2(os.open(errpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
            if outpath: os.dup2(os.open(outpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
            os.execvp(sys.argv[6], sys.argv[6:])
        if r >= 0: os.close(r)
        out = b""
        answered = not prompt
        deadline = time.time() + 20
        while True:
            if time.time() > deadline:
                os.killpg(pid, signal.SIGKILL)
                sys.stdout.write(out.decode("utf-8", "replace") + "\\nHUNG\\n")
                sys.exit(124)
            if not select.select([fd], [], [], 0.5)[0]:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if not answered and prompt.encode() in out:
                os.write(fd, reply.encode() + b"\\r")
                answered = True
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(out.decode("utf-8", "replace"))
        sys.exit(os.waitstatus_to_exitcode(status))
        """

    /// The argv that runs `command` under the player, its script written into `directory`.
    public static func argv(
        _ command: [String], in directory: URL, input: String? = nil, stderrFile: String? = nil,
        stdoutFile: String? = nil, answer: (prompt: String, reply: String)? = nil
    ) throws -> [String] {
        let file = directory.appendingPathComponent("terminal-player.py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        return ["python3", file.path, input ?? "", stderrFile ?? "", stdoutFile ?? "", answer?.prompt ?? "", answer?.reply ?? ""]
            + command
    }
}
