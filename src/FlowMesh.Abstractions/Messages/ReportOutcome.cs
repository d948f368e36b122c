namespace FlowMesh.Abstractions;

/// <summary>What a task grain did with a node's report.</summary>
public enum ReportOutcome
{
    /// <summary>The report ended the attempt; this is the task's outcome (or its retry).</summary>
    Accepted,

    /// <summary>The same report was accepted before (an agent that retried after a lost answer).</summary>
    Duplicate,

    /// <summary>The reporting node does not hold this attempt (an older attempt, another node): nothing changed.</summary>
    Stale,
}
