using DataCluster.Kube.Models;
using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class PodStatusBuilderTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Start.AddMinutes(1);

    private static readonly Pod Pod = new()
    {
        Metadata = new ObjectMeta { Name = "x-0", Namespace = "ns", Uid = "u" },
        Spec = new PodSpec { Containers = [new Container { Name = "app" }, new Container { Name = "agent" }] },
    };

    private static ContainerSnapshot App => new()
    {
        Name = "app",
        Image = "busybox",
        ImageId = "local://none",
        State = ContainerRunState.Running,
        StartedAt = Start,
        Ready = true,
    };

    private static ContainerSnapshot Agent(ContainerRunState state, bool ready = false, int restarts = 0, ContainerTermination? last = null, string? reason = null) => new()
    {
        Name = "agent",
        Image = "datacluster/agent:dev",
        ImageId = "local:///bin/agent",
        State = state,
        Reason = reason,
        ContainerId = state == ContainerRunState.Running ? "local://42" : null,
        StartedAt = state == ContainerRunState.Running ? Start : null,
        Ready = ready,
        RestartCount = restarts,
        LastTermination = last,
    };

    private static PodStatus Build(ContainerSnapshot agent, IReadOnlyList<PodCondition>? previous = null, Pod? pod = null) =>
        PodStatusBuilder.Build(pod ?? Pod, "127.0.0.10", "127.0.0.1", Start, [App, agent], previous, Later);

    private static PodCondition Condition(PodStatus status, string type) => Assert.Single(status.Conditions!, c => c.Type == type);

    [Fact]
    public void A_pod_whose_only_container_is_being_created_is_Pending_and_not_Ready()
    {
        var agentOnly = new Pod { Metadata = Pod.Metadata, Spec = new PodSpec { Containers = [new Container { Name = "agent" }] } };

        var status = PodStatusBuilder.Build(agentOnly, "127.0.0.10", "127.0.0.1", Start, [Agent(ContainerRunState.Waiting, reason: "ContainerCreating")], null, Later);

        Assert.Equal("Pending", status.Phase);
        Assert.Equal("127.0.0.10", status.PodIp);
        Assert.Equal("127.0.0.10", Assert.Single(status.PodIps!).Ip);
        Assert.Equal("127.0.0.1", status.HostIp);
        Assert.Equal("True", Condition(status, "PodScheduled").Status);
        Assert.Equal("True", Condition(status, "Initialized").Status);
        Assert.Equal("False", Condition(status, "Ready").Status);
        Assert.Equal("containers with unready status: [agent]", Condition(status, "Ready").Message);
        Assert.Equal("ContainerCreating", Assert.Single(status.ContainerStatuses!).State!.Waiting!.Reason);
    }

    [Fact]
    public void A_pod_with_a_running_app_container_is_Running_but_not_Ready_until_the_agent_is()
    {
        var status = Build(Agent(ContainerRunState.Waiting, reason: "ContainerCreating"));

        Assert.Equal("Running", status.Phase);
        Assert.Equal("False", Condition(status, "Ready").Status);
    }

    [Fact]
    public void A_running_ready_agent_makes_the_pod_Running_and_Ready()
    {
        var status = Build(Agent(ContainerRunState.Running, ready: true));

        Assert.Equal("Running", status.Phase);
        Assert.Equal("True", Condition(status, "Ready").Status);
        Assert.Equal("True", Condition(status, "ContainersReady").Status);
        var agent = status.ContainerStatuses![1];
        Assert.True(agent.Ready);
        Assert.True(agent.Started);
        Assert.Equal("local://42", agent.ContainerId);
        Assert.Equal(Start, agent.State!.Running!.StartedAt);
        Assert.True(status.ContainerStatuses[0].Ready);
    }

    [Fact]
    public void A_crashed_agent_waits_in_CrashLoopBackOff_with_its_last_termination()
    {
        var last = new ContainerTermination(137, "Error", Start, Later, "local://42");

        var status = Build(Agent(ContainerRunState.Waiting, restarts: 2, last: last, reason: "CrashLoopBackOff"));

        Assert.Equal("Running", status.Phase);
        Assert.Equal("False", Condition(status, "Ready").Status);
        var agent = status.ContainerStatuses![1];
        Assert.Equal("CrashLoopBackOff", agent.State!.Waiting!.Reason);
        Assert.Equal(137, agent.LastState!.Terminated!.ExitCode);
        Assert.Equal("Error", agent.LastState.Terminated.Reason);
        Assert.Equal(2, agent.RestartCount);
        Assert.False(agent.Ready);
    }

    [Fact]
    public void Transition_times_change_only_when_a_condition_changes()
    {
        var before = Build(Agent(ContainerRunState.Running, ready: true));
        var earlier = before.Conditions!.Select(c => new PodCondition { Type = c.Type, Status = c.Status, LastTransitionTime = Start }).ToList();

        var after = PodStatusBuilder.Build(Pod, "127.0.0.10", "127.0.0.1", Start, [App, Agent(ContainerRunState.Running, ready: false)], earlier, Later.AddMinutes(1));

        Assert.Equal(Start, Condition(after, "PodScheduled").LastTransitionTime);
        Assert.Equal(Later.AddMinutes(1), Condition(after, "Ready").LastTransitionTime);
    }

    [Fact]
    public void Readiness_gates_hold_Ready_back_and_conditions_of_others_are_kept()
    {
        var gated = new Pod
        {
            Metadata = Pod.Metadata,
            Spec = new PodSpec { Containers = Pod.Spec.Containers, ReadinessGates = [new PodReadinessGate { ConditionType = "example.com/gate" }] },
            Status = new PodStatus { Conditions = [new PodCondition { Type = "example.com/gate", Status = "False" }] },
        };

        var closed = Build(Agent(ContainerRunState.Running, ready: true), pod: gated);
        gated.Status.Conditions[0].Status = "True";
        var open = Build(Agent(ContainerRunState.Running, ready: true), pod: gated);

        Assert.Equal("False", Condition(closed, "Ready").Status);
        Assert.Equal("ReadinessGatesNotReady", Condition(closed, "Ready").Reason);
        Assert.Equal("True", Condition(closed, "ContainersReady").Status);
        Assert.Equal("False", Condition(closed, "example.com/gate").Status);
        Assert.Equal("True", Condition(open, "Ready").Status);
    }

    [Fact]
    public void Init_containers_are_reported_completed()
    {
        var withInit = new Pod
        {
            Metadata = Pod.Metadata,
            Spec = new PodSpec { Containers = Pod.Spec.Containers, InitContainers = [new Container { Name = "setup", Image = "busybox" }] },
        };

        var status = Build(Agent(ContainerRunState.Running, ready: true), pod: withInit);

        var init = Assert.Single(status.InitContainerStatuses!);
        Assert.Equal("Completed", init.State!.Terminated!.Reason);
        Assert.Equal(0, init.State.Terminated.ExitCode);
    }
}
