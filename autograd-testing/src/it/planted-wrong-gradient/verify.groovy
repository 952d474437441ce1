// The wrong backward was caught by the property, with GradCheck's report, and failed the build.
def log = new File(basedir, 'build.log').text
assert log.contains('softplusHasTheRightGradient') : 'the property did not run'
assert log.contains('GradCheck gradient FAILED') : "no GradCheck failure in the build log"
assert log =~ /Tests run: [1-9]\d*, Failures: [1-9]/ : 'Surefire reported no failed test'
assert log.contains('BUILD FAILURE')
def line = log.readLines().find { it.contains('GradCheck gradient FAILED') }
println "planted-wrong-gradient: failed as planned: ${line.trim()}"
return true
