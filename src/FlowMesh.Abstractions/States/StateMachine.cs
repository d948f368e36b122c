namespace FlowMesh.Abstractions;

/// <summary>
/// An explicit transition table; everything not listed is rejected. Terminal states are named, not inferred: a
/// finished task may still be reopened by an explicit retry, which is a listed transition out of a terminal state.
/// </summary>
public sealed class StateMachine<TState>(string name, IReadOnlyDictionary<TState, TState[]> allowed, IReadOnlySet<TState> terminal)
    where TState : struct, Enum
{
    public string Name { get; } = name;

    public bool CanMove(TState from, TState to) => allowed.TryGetValue(from, out var targets) && targets.Contains(to);

    public bool IsTerminal(TState state) => terminal.Contains(state);

    public void Ensure(TState from, TState to)
    {
        if (!CanMove(from, to))
        {
            throw new InvalidTransitionException(Name, from.ToString(), to.ToString());
        }
    }
}
