package io.registryauth.cli.it;

import io.registryauth.realm.it.Programs;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium driven by its chromedriver through Selenium: a person at Keycloak's own pages.
 * A fresh profile per instance, so no session carries over between sign-ins.
 */
final class Chromium implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final WebDriver driver;

    Chromium(Path profile) throws Exception {
        Path chromedriver = Programs.require("chromedriver");
        Path chromium = Programs.require("chromium");
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver.toString())).usingAnyFreePort()
                .withLogFile(profile.resolveSibling(profile.getFileName() + "-chromedriver.log").toFile())
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    /** Opens the CLI's sign-in address and signs in on Keycloak's login page; returns the page the browser ends on. */
    String signIn(String url, String username, String password) throws InterruptedException {
        driver.get(url);
        fillLogin(username, password);
        return awaitText("Signed in", "Sign-in failed");
    }

    /** Opens the device page with the user code filled in, confirms it, signs in; returns the final page text. */
    String approveDevice(String completeUrl, String username, String password) throws InterruptedException {
        driver.get(completeUrl);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = bodyText();
            if (text.contains("Device Login Successful") || text.contains("successfully")) {
                return text;
            }
            if (!driver.findElements(By.id("username")).isEmpty()) {
                fillLogin(username, password);
            } else if (!driver.findElements(By.id("kc-login")).isEmpty()) {
                driver.findElement(By.id("kc-login")).click(); // the user-code confirmation, or a consent page
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the device sign-in did not finish; page:\n" + bodyText());
    }

    private void fillLogin(String username, String password) throws InterruptedException {
        WebElement user = awaitElement(By.id("username"));
        user.clear();
        user.sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
    }

    private WebElement awaitElement(By by) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<WebElement> found = driver.findElements(by);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + by + " on " + driver.getCurrentUrl() + ":\n" + bodyText());
    }

    private String awaitText(String... any) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = bodyText();
            for (String wanted : any) {
                if (text.contains(wanted)) {
                    return text;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the browser did not come back; page:\n" + bodyText());
    }

    private String bodyText() {
        try {
            return driver.findElement(By.tagName("body")).getText();
        } catch (RuntimeException e) {
            return "(no page: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
