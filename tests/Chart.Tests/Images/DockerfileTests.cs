using System.Text.RegularExpressions;
using System.Xml.Linq;
using DataCluster.Chart.Tests.Support;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Chart.Tests.Images;

/// <summary>
/// The Dockerfile cannot be built here (no container engine), so these check what can go wrong
/// without one: paths it copies, the publish flags, the user, the labels, and that the release
/// workflow and the chart name the same images.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly Lazy<IReadOnlyList<string>> Instructions = new(() =>
        [.. Regex.Replace(Repository.Read("Dockerfile"), @"\\\n\s*", " ")
            .Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))]);

    public static TheoryData<string, string> Images() => new()
    {
        // target, project directory
        { "agent", "agent" },
        { "operator", "operator" },
    };

    /// <summary>The instructions of one stage, from its FROM up to the next.</summary>
    private static IReadOnlyList<string> Stage(string name)
    {
        var start = Instructions.Value.ToList().FindIndex(l => Regex.IsMatch(l, $@"^FROM .* AS {Regex.Escape(name)}$"));
        Assert.True(start >= 0, $"The Dockerfile has no stage {name}.");
        return [.. Instructions.Value.Skip(start).TakeWhile((l, i) => i == 0 || !l.StartsWith("FROM ", StringComparison.Ordinal))];
    }

    [Fact]
    public void Every_path_the_Dockerfile_copies_exists()
    {
        var sources = Instructions.Value
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.True(Repository.Exists(source.TrimEnd('/')), $"The Dockerfile copies {source}, which does not exist."));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_build_copies_every_project_the_image_is_built_from(string target, string project)
    {
        var copied = Instructions.Value
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .Select(s => s.TrimEnd('/'))
            .ToHashSet(StringComparer.Ordinal);
        var ignored = Repository.Read(".dockerignore").Split('\n').Select(l => l.Trim().TrimEnd('/')).ToHashSet(StringComparer.Ordinal);

        foreach (var directory in ProjectClosure(project))
        {
            Assert.True(copied.Contains(directory), $"The {target} image is built from {directory}, which the Dockerfile does not copy.");
            Assert.DoesNotContain(directory, ignored);
        }
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Each_image_is_published_with_the_Makefiles_flags(string target, string project)
    {
        // The agent is published Native AOT, with flags of its own; the operator trimmed and ReadyToRun.
        var variable = target == "agent" ? "AGENT_PUBLISH_FLAGS" : "PUBLISH_FLAGS";
        var flags = MakefileVariable(variable);

        var publish = Assert.Single(Stage($"publish-{target}"), l => l.Contains("dotnet publish", StringComparison.Ordinal));

        Assert.Contains($"dotnet publish {project} {flags} -r ", publish, StringComparison.Ordinal);
        Assert.Contains($"$(DOTNET) publish {project} $({variable}) -r linux-x64", Repository.Read("Makefile"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_agent_is_published_Native_AOT_with_a_C_toolchain_in_its_build_stage()
    {
        var project = XDocument.Parse(Repository.Read("agent/DataCluster.Agent.csproj"));

        Assert.Equal("true", project.Descendants("PublishAot").Single().Value);
        Assert.Contains(Stage("publish-agent"), l => Regex.IsMatch(l, @"^RUN apt-get update\s+&&\s+apt-get install -y --no-install-recommends clang\b"));
        Assert.Contains("hack/native-toolchain.sh", Repository.Read("Makefile"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Each_image_runs_its_published_program_as_the_non_root_user_the_pods_use(string target, string project)
    {
        var assemblyName = XDocument.Parse(Repository.Read($"{project}/{ProjectFile(project)}")).Descendants("AssemblyName").Single().Value;

        Assert.Contains($"ENTRYPOINT [\"/app/{assemblyName}\"]", Stage(target));
        Assert.Contains($"USER {AgentContainer.UserId}:{AgentContainer.UserId}", Stage("runtime"));
        Assert.Equal(AgentContainer.UserId, JsonText.Integer(ChartFacts.Values["podSecurityContext"]!["runAsUser"]));
    }

    [Fact]
    public void The_runtime_base_is_chiseled_runtime_deps_of_the_SDKs_NET_version()
    {
        var sdk = Repository.Read("global.json");
        var major = Regex.Match(sdk, "\"version\": \"([0-9]+\\.[0-9]+)\\.").Groups[1].Value;

        Assert.Contains($"ARG DOTNET_VERSION={major}", Instructions.Value);
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/runtime-deps:\$\{DOTNET_VERSION\}-[a-z]+-chiseled AS runtime$", Stage("runtime")[0]);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Each_image_carries_the_OCI_labels(string target, string project)
    {
        _ = project;
        var labels = string.Join(' ', Stage("runtime").Concat(Stage(target)).Where(l => l.StartsWith("LABEL ", StringComparison.Ordinal)));

        foreach (var label in new[] { "source", "version", "revision", "licenses", "title", "description" })
        {
            Assert.Contains($"org.opencontainers.image.{label}=", labels, StringComparison.Ordinal);
        }

        Assert.Contains($"org.opencontainers.image.title=\"datacluster-{target}\"", labels, StringComparison.Ordinal);
    }

    [Fact]
    public void The_release_workflow_pushes_both_images_and_the_chart_where_the_chart_looks_for_them()
    {
        var release = Repository.Read(".github/workflows/release.yml");
        var registry = Regex.Match(release, @"REGISTRY: (\S+)").Groups[1].Value;

        Assert.Equal($"{registry}/operator", (string?)ChartFacts.Values["image"]!["repository"]);
        Assert.Equal($"{registry}/agent", (string?)ChartFacts.Values["agent"]!["image"]!["repository"]);
        Assert.Contains("image: [operator, agent]", release, StringComparison.Ordinal);
        Assert.Contains("target: ${{ matrix.image }}", release, StringComparison.Ordinal);
        Assert.Contains("helm package charts/datacluster --version \"$VERSION\" --app-version \"$VERSION\"", release, StringComparison.Ordinal);
        Assert.Contains("helm push \"artifacts/datacluster-$VERSION.tgz\" \"oci://$REGISTRY/charts\"", release, StringComparison.Ordinal);
        Assert.Contains("oci://ghcr.io/datacluster/charts/datacluster", Repository.Read($"{Repository.Chart}/README.md"), StringComparison.Ordinal);
    }

    /// <summary>The directories of <paramref name="project"/> and every project it references, transitively.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var directory))
        {
            if (!seen.Add(directory))
            {
                continue;
            }

            var file = XDocument.Parse(Repository.Read($"{directory}/{ProjectFile(directory)}"));
            foreach (var reference in file.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value))
            {
                var full = Path.GetFullPath(Path.Combine(Repository.PathOf(directory), Path.GetDirectoryName(reference)!));
                pending.Push(Path.GetRelativePath(Repository.Root, full).Replace('\\', '/'));
            }
        }

        return seen;
    }

    private static string ProjectFile(string directory) =>
        Path.GetFileName(Directory.GetFiles(Repository.PathOf(directory), "*.csproj").Single());

    private static string MakefileVariable(string name) =>
        MakefileAssignment().Matches(Repository.Read("Makefile")).Single(m => m.Groups[1].Value == name).Groups[2].Value.Trim();

    [GeneratedRegex(@"^([A-Z_]+) :?= (.*)$", RegexOptions.Multiline)]
    private static partial Regex MakefileAssignment();
}
