// The property ran: Surefire's report lists it with its tries as one test, none failed or skipped.
def reports = new File(basedir, 'target/surefire-reports')
assert reports.isDirectory() : "no Surefire reports in ${reports}: no test ran"
def xml = new File(reports, 'TEST-com.example.StableSoftplusTest.xml')
assert xml.isFile() : "no report of com.example.StableSoftplusTest: nothing of it ran (is jqwik's engine on the test class path? does Surefire include the class name?)"
def suite = new groovy.xml.XmlSlurper().parse(xml)
int tests = suite.@tests.toInteger()
assert tests > 0 : "StableSoftplusTest ran no test"
assert suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0 && suite.@skipped.toInteger() == 0
def names = suite.testcase.collect { it.@name.toString() }
assert names.any { it.contains('softplusHasTheRightGradient') } : "the property did not run; test cases: ${names}"
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: ' + tests + ', Failures: 0, Errors: 0, Skipped: 0')
// jqwik's own report of the property: every one of its 200 tries was a check
assert log =~ /tries = 200\s/ && log =~ /checks = 200\s/ : 'the property did not run its 200 tries'
println "readme-user-project: ${tests} test(s) ran: ${names}"
return true
