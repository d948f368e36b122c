using System.Text;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Workflows;

/// <summary>
/// Feeds thousands of broken variants of the corpus to the parser: it must answer each with diagnostics (or a
/// workflow), never throw, never hang, and allocate a bounded amount per file.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MutationTests(ITestOutputHelper output)
{
    private const int Mutations = 4000;
    private const long MaxBytesAllocatedPerParse = 256L * 1024 * 1024;

    [Fact]
    public async Task Parse_RandomMutationsOfTheCorpus_NeverThrowOrHang()
    {
        var seeds = Corpus.Available(output)
            ? Corpus.AllFiles().Select(File.ReadAllText).ToList()
            : ["spec:\n  taskType: echo\n  data:\n    type: list\n    items: [a, b]\n"];
        var random = new Random(20261122);
        var rejected = 0;
        var worker = Task.Run(() =>
        {
            for (var i = 0; i < Mutations; i++)
            {
                var text = Mutate(seeds[random.Next(seeds.Count)], random);
                var before = GC.GetAllocatedBytesForCurrentThread();
                ParseResult result;
                try
                {
                    result = WorkflowParser.Parse(text, $"mutant-{i}.yaml");
                }
                catch (Exception ex)
                {
                    throw new Xunit.Sdk.XunitException($"mutant {i} crashed the parser: {ex}\n--- input ---\n{(text.Length > 2000 ? text[..2000] : text)}");
                }

                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < MaxBytesAllocatedPerParse, $"mutant {i} allocated {allocated} bytes");
                Assert.True(result.Success || result.Diagnostics.Count > 0);
                Assert.All(result.Diagnostics, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
                rejected += result.Success ? 0 : 1;
            }
        });

        // A watchdog, not a timing assertion: a parser stuck in a loop would otherwise hang the run.
        var finished = await Task.WhenAny(worker, Task.Delay(TimeSpan.FromMinutes(5)));
        Assert.True(finished == worker, "the parser did not finish the mutation run: a mutant made it hang");
        await worker;
        output.WriteLine($"{Mutations} mutants, {rejected} rejected");
        Assert.True(rejected > Mutations / 4, "mutations should mostly produce invalid workflows");
    }

    internal static string Mutate(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        switch (random.Next(9))
        {
            case 0 when lines.Count > 1:
                // Delete a key (a line, or a line and what is indented under it).
                var at = random.Next(lines.Count);
                lines.RemoveAt(at);
                break;
            case 1:
                // Wrong type: replace a value after a colon.
                var i = random.Next(lines.Count);
                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                string[] values = ["[1, 2]", "{a: b}", "-5", "true", "null", "\"\"", "3.5e300", "~", "[[[]]]"];
                if (colon > 0)
                {
                    lines[i] = lines[i][..(colon + 1)] + " " + values[random.Next(values.Length)];
                }

                break;
            case 2:
                var bytes = Encoding.UTF8.GetBytes(text);
                for (var k = 0; k < 1 + random.Next(8); k++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return Encoding.UTF8.GetString(bytes);
            case 3:
                var depth = 10 + random.Next(5000);
                return random.Next(2) == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("a:\n ", Math.Min(depth, 400))) + "x";
            case 4:
                var line = random.Next(lines.Count);
                lines[line] += " " + new string('x', random.Next(1, 200_000));
                break;
            case 5:
                return text[..random.Next(text.Length)];
            case 6:
                var dup = random.Next(lines.Count);
                lines.Insert(dup, lines[dup]);
                break;
            case 7:
                var indent = random.Next(lines.Count);
                lines[indent] = new string(' ', random.Next(1, 7)) + lines[indent];
                break;
            default:
                string[] tokens = ["&a [*a, *a]", "*nope", "!!binary xyz", "\t", "- - -", "? complex", "{", "}", "'", "\"\\u12", "%YAML 9.9", "---", "<<: *x"];
                var t = random.Next(lines.Count);
                lines[t] = lines[t].Insert(random.Next(lines[t].Length + 1), tokens[random.Next(tokens.Length)]);
                break;
        }

        return string.Join('\n', lines);
    }
}
