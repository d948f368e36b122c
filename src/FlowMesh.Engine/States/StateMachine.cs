namespace FlowMesh.Engine.States;

/// <summary>An explicit transition table; everything not listed is rejected.</summary>
public sealed class StateMachine<TState>(string name, IReadOnlyDictionary<TState, TState[]> allowed)
    where TState : struct, Enum
{
    public string Name { get; } = name;

    public bool CanMove(TState from, TState to) => allowed.TryGetValue(from, out var targets) && targets.Contains(to);

    public bool IsTerminal(TState state) => !allowed.TryGetValue(state, out var targets) || targets.Length == 0;

    public void Ensure(TState from, TState to)
    {
        if (!CanMove(from, to))
        {
            throw new InvalidTransitionException(Name, from.ToString(), to.ToString());
        }
    }
}
