package dev.subterra.training;

import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The ND4J backend this process computes on: which one loaded, and whether its oneDNN build did.
 *
 * <p>The CPU backend ships two builds of {@code libnd4jcpu}: a plain one (classifier {@code linux-x86_64}) and one
 * linked with oneDNN ({@code linux-x86_64-onednn}); the CUDA backend likewise a plain and a cuDNN build. Maven puts
 * both on the class path (the backend's main jar depends on the plain one), and JavaCPP loads the other one only when
 * the system property {@value #PLATFORM_EXTENSION} is {@code -onednn} (or {@code -cudnn}) before ND4J first loads.
 * {@link #initialise()} sets it when such a build is on the class path and nobody set it, so that the library, its
 * tests and the jobs agree; a value set on the command line wins.
 */
public final class Backend {

  /** The JavaCPP system property that picks a native build by its classifier suffix. */
  public static final String PLATFORM_EXTENSION = "org.bytedeco.javacpp.platform.extension";

  private static final String ONEDNN_LIBRARY =
      "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn/libnd4jcpu.so";
  private static final String CUDNN_LIBRARY =
      "org/nd4j/linalg/jcublas/bindings/linux-x86_64-cudnn/libnd4jcuda.so";

  private Backend() {}

  /** Chooses the oneDNN build where it is available, then loads ND4J. Safe to call any number of times. */
  public static synchronized void initialise() {
    ClassLoader loader = Backend.class.getClassLoader();
    if (System.getProperty(PLATFORM_EXTENSION) == null) {
      if (loader.getResource(ONEDNN_LIBRARY) != null) {
        System.setProperty(PLATFORM_EXTENSION, "-onednn");
      } else if (loader.getResource(CUDNN_LIBRARY) != null) {
        System.setProperty(PLATFORM_EXTENSION, "-cudnn");
      }
    }
    Nd4j.getBackend();
    // ND4J frees native memory only when the Java wrappers are collected, and they are too small to make the heap
    // fill: without a periodic collection a training run's off-heap use grows until the kernel kills it.
    if (!periodicGc) {
      Nd4j.getMemoryManager().togglePeriodicGc(true);
      Nd4j.getMemoryManager().setAutoGcWindow(GC_WINDOW_MILLIS);
      periodicGc = true;
    }
  }

  /** How often, at most, ND4J asks for a collection during native work. */
  private static final int GC_WINDOW_MILLIS = 2_000;
  private static boolean periodicGc;

  /** A short description for provenance, such as {@code cpu+onednn} or {@code cuda+cudnn}. */
  public static String describe() {
    initialise();
    String name = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend", "unknown")
        .toLowerCase(Locale.ROOT);
    String build = buildInfo();
    return name + (build.contains("HAVE_ONEDNN") ? "+onednn" : "") + (build.contains("HAVE_CUDNN") ? "+cudnn" : "");
  }

  /** Whether the loaded native library was built with oneDNN. */
  public static boolean hasOneDnn() {
    return buildInfo().contains("HAVE_ONEDNN");
  }

  /** The native library's build flags, as libnd4j reports them. */
  public static String buildInfo() {
    initialise();
    return NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
  }
}
