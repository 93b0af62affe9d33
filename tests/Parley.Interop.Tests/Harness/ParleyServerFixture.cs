namespace Parley.Interop.Tests.Harness;

/// <summary>A running server shared by the tests of one class (each test uses its own users).</summary>
public class ParleyServerFixture : IAsyncLifetime
{
    private ParleyProcess? _server;

    public ParleyProcess Server => _server ?? throw new InvalidOperationException("fixture not initialised");

    public virtual async Task InitializeAsync()
    {
        _server = await ParleyProcess.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>A server with auto-approve of local subscriptions turned off (explicit approval).</summary>
public sealed class ParleyServerWithoutAutoApproveFixture : ParleyServerFixture
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        (await Server.RunCliAsync("settings", "presence", "set", "--auto-approve", "off")).ShouldSucceed();
    }
}
