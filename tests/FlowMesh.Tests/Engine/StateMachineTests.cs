using FlowMesh.Abstractions;

namespace FlowMesh.Tests.Engine;

[Trait("Category", "Unit")]
public sealed class StateMachineTests
{
    public static TheoryData<TaskState, TaskState> TaskAllowed => new()
    {
        { TaskState.Pending, TaskState.Ready }, { TaskState.Pending, TaskState.Skipped }, { TaskState.Pending, TaskState.Failed }, { TaskState.Pending, TaskState.Cancelled },
        { TaskState.Ready, TaskState.Running }, { TaskState.Ready, TaskState.Failed }, { TaskState.Ready, TaskState.Cancelled },
        { TaskState.Running, TaskState.Succeeded }, { TaskState.Running, TaskState.Failed }, { TaskState.Running, TaskState.Ready }, { TaskState.Running, TaskState.Cancelled },
        { TaskState.Failed, TaskState.Pending }, { TaskState.Cancelled, TaskState.Pending },
    };

    [Fact]
    public void TaskMachine_EveryPair_AllowedExactlyWhenListed()
    {
        var allowed = TaskAllowed.Select(r => ((TaskState)r[0], (TaskState)r[1])).ToHashSet();
        AssertMatrix(StateMachines.Task, allowed);
    }

    [Fact]
    public void WorkflowMachine_EveryPair_AllowedExactlyWhenListed()
    {
        AssertMatrix(StateMachines.Workflow, [
            (WorkflowState.Pending, WorkflowState.Running), (WorkflowState.Pending, WorkflowState.Cancelled),
            (WorkflowState.Running, WorkflowState.Succeeded), (WorkflowState.Running, WorkflowState.Failed), (WorkflowState.Running, WorkflowState.Cancelled),
            (WorkflowState.Running, WorkflowState.Paused), (WorkflowState.Paused, WorkflowState.Running), (WorkflowState.Paused, WorkflowState.Succeeded),
            (WorkflowState.Paused, WorkflowState.Failed), (WorkflowState.Paused, WorkflowState.Cancelled),
            (WorkflowState.Failed, WorkflowState.Running), (WorkflowState.Cancelled, WorkflowState.Running),
        ]);
    }

    [Fact]
    public void NodeMachine_EveryPair_AllowedExactlyWhenListed()
    {
        AssertMatrix(StateMachines.Node, [
            (NodeState.Up, NodeState.Draining), (NodeState.Up, NodeState.Lost), (NodeState.Up, NodeState.Left),
            (NodeState.Draining, NodeState.Lost), (NodeState.Draining, NodeState.Left),
            (NodeState.Lost, NodeState.Up), (NodeState.Left, NodeState.Up),
        ]);
    }

    [Fact]
    public void TerminalTaskStates_AreNamedTerminal()
    {
        foreach (var s in new[] { TaskState.Succeeded, TaskState.Failed, TaskState.Skipped, TaskState.Cancelled })
        {
            Assert.True(StateMachines.Task.IsTerminal(s));
        }

        Assert.False(StateMachines.Task.IsTerminal(TaskState.Running));
    }

    private static void AssertMatrix<T>(StateMachine<T> machine, HashSet<(T, T)> allowed)
        where T : struct, Enum
    {
        foreach (var from in Enum.GetValues<T>())
        {
            foreach (var to in Enum.GetValues<T>())
            {
                if (allowed.Contains((from, to)))
                {
                    machine.Ensure(from, to);
                }
                else
                {
                    var ex = Assert.Throws<InvalidTransitionException>(() => machine.Ensure(from, to));
                    Assert.Equal(from.ToString(), ex.From);
                }
            }
        }
    }
}
