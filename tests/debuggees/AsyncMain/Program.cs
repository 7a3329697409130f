// An async Main that awaits a method which divides by zero: the unhandled
// exception crosses the async state machines.
using System;
using System.Threading.Tasks;

static class Program
{
    static async Task<int> Main()
    {
        Console.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();
        return await DivideAsync(16, 0);
    }

    static async Task<int> DivideAsync(int a, int b)
    {
        await Task.Yield();
        return a / b;
    }
}
