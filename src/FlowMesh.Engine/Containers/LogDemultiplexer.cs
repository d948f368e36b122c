using System.Buffers.Binary;
using System.Text;

namespace FlowMesh.Engine.Containers;

/// <summary>
/// Splits Docker's multiplexed log stream into lines. Without a TTY each frame is an 8-byte header (stream 1 = stdout,
/// 2 = stderr, three zero bytes, big-endian 32-bit length) and the payload; frames may cut lines anywhere, and the
/// socket may cut frames anywhere, so both are reassembled here.
/// </summary>
internal sealed class LogDemultiplexer(bool tty, Action<string, string> onLine)
{
    private readonly List<byte> _header = new(8);
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private int _remaining;
    private MemoryStream? _current;

    public void Feed(ReadOnlySpan<byte> data)
    {
        if (tty)
        {
            Append(_stdout, "stdout", data);
            return;
        }

        while (!data.IsEmpty)
        {
            if (_remaining == 0)
            {
                var need = 8 - _header.Count;
                var take = Math.Min(need, data.Length);
                foreach (var b in data[..take])
                {
                    _header.Add(b);
                }

                data = data[take..];
                if (_header.Count < 8)
                {
                    return;
                }

                _current = _header[0] == 2 ? _stderr : _stdout;
                _remaining = (int)BinaryPrimitives.ReadUInt32BigEndian([_header[4], _header[5], _header[6], _header[7]]);
                _header.Clear();
                continue;
            }

            var chunk = Math.Min(_remaining, data.Length);
            Append(_current!, _current == _stderr ? "stderr" : "stdout", data[..chunk]);
            _remaining -= chunk;
            data = data[chunk..];
        }
    }

    /// <summary>Emits what is left of a line that ended without a newline.</summary>
    public void Flush()
    {
        Emit(_stdout, "stdout", force: false);
        Emit(_stderr, "stderr", force: false);
    }

    private void Append(MemoryStream buffer, string stream, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                buffer.Write(data);
                return;
            }

            buffer.Write(data[..newline]);
            Emit(buffer, stream, force: true);
            data = data[(newline + 1)..];
        }
    }

    private void Emit(MemoryStream buffer, string stream, bool force)
    {
        if (buffer.Length == 0 && !force)
        {
            return;
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimEnd('\r');
        buffer.SetLength(0);
        onLine(stream, text);
    }
}
