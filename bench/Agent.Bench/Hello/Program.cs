using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

// Listens where HELLO_URL says (default http://127.0.0.1:8080) and answers GET / with "hello".
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls(Environment.GetEnvironmentVariable("HELLO_URL") ?? "http://127.0.0.1:8080");
var app = builder.Build();
app.MapGet("/", () => "hello");
app.Run();
