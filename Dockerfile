# CPU image of the server (all roles). Build from the repository root:
#   docker build -t qwen2vl-cluster/server .
# The .NET 10 images are Ubuntu 24.04, whose libstdc++ already has GLIBCXX_3.4.32, so the LibTorch loading fix
# of build/TorchSharpGlibcxxFix.targets turns itself off here.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# A C compiler for the AVX512-BF16 decode kernels (src/Qwen2VL.Model/Native); without it the build falls back to
# the managed kernel and LibTorch, and decoding is slower.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY protos/ protos/
COPY src/ src/
RUN dotnet publish src/Qwen2VL.Server -c Release -r linux-x64 --self-contained false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libjemalloc2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
RUN useradd --uid 10001 --create-home qwen2vl && mkdir -p /models && chown qwen2vl /models
USER 10001
# Under glibc's malloc a server answered many times slower after minutes of load; under jemalloc it did not
# (measured: docs/reliability.md, "Load test").
ENV HF_HOME=/models/hf DOTNET_gcServer=1 LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
EXPOSE 8080 8081 8082
ENTRYPOINT ["dotnet", "Qwen2VL.Server.dll"]
